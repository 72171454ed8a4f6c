"""The deploy workflow's guard: deploy only what the commit declares.

  python scripts/check_artifact.py digests
      prints `bootstraps=<JSON>` (for $GITHUB_OUTPUT): each function's bootstrap in
      .aws-sam/build and its SHA-256. The build job records it as a job output.

  python scripts/check_artifact.py check --digests JSON [--require-variables]
      refuses (exit 1, saying why) a build in .aws-sam/build that is not what this commit
      declares:
      - its template.yaml is not what `sam build` makes of this commit's template.yaml, code
        locations aside (a resource, parameter, policy or setting added, removed or changed by
        anything that ran during the build);
      - a function's directory holds anything but its bootstrap, or a bootstrap's SHA-256 is
        not the one the build job recorded (so the artifact was not changed on its way), or a
        function has no recorded digest, or there is a directory no function builds;
      with --require-variables, also when a repository variable the deploy needs is empty.

Run from the repository root; needs the SAM CLI's YAML reader (samtranslator).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import pathlib
import sys

from samtranslator.yaml_helper import yaml_parse

ROOT = pathlib.Path.cwd()
BUILD = pathlib.Path(".aws-sam") / "build"
# The deploy job's repository variables without which the first deploy would fail.
REQUIRED_VARIABLES = ("AWS_DEPLOY_ROLE_ARN", "AWS_ARTIFACTS_BUCKET", "AWS_REGION", "PERMISSIONS_BOUNDARY_ARN")


def built_functions(template: dict) -> list[str]:
    """The functions `sam build` builds: those of the commit's template that cargo-lambda builds."""
    return sorted(
        name
        for name, resource in template.get("Resources", {}).items()
        if resource.get("Type") == "AWS::Serverless::Function"
        and resource.get("Metadata", {}).get("BuildMethod") == "rust-cargolambda"
    )


def digests(build: pathlib.Path, functions: list[str]) -> dict[str, str]:
    return {name: hashlib.sha256((build / name / "bootstrap").read_bytes()).hexdigest() for name in functions}


def without_code_locations(template: dict) -> dict:
    """The template with what `sam build` rewrites taken out: each function's CodeUri (the build
    directory instead of the source), in Globals too, each layer's ContentUri (the same folder,
    written relative to the build directory: `layer_folders` checks it), and the metadata SAM
    adds to what it built."""
    template = copy.deepcopy(template)
    template.get("Globals", {}).get("Function", {}).pop("CodeUri", None)
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::LayerVersion":
            resource.get("Properties", {}).pop("ContentUri", None)
        if resource.get("Type") == "AWS::Serverless::Function":
            resource.get("Properties", {}).pop("CodeUri", None)
            metadata = resource.get("Metadata", {})
            metadata.pop("SamResourceId", None)
            if not metadata:
                resource.pop("Metadata", None)
    return template


def layer_folders(root: pathlib.Path, declared: dict, built: dict) -> list[str]:
    """Each layer of the built template must package the commit's own folder: `sam build` builds
    no layer without a BuildMethod and points its ContentUri, from the build directory, at the
    folder the commit's template names."""
    errors = []
    build = root / BUILD
    for name, resource in declared.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::LayerVersion":
            continue
        wanted = (root / resource["Properties"]["ContentUri"]).resolve()
        uri = built.get("Resources", {}).get(name, {}).get("Properties", {}).get("ContentUri")
        if not isinstance(uri, str) or (build / uri).resolve() != wanted:
            errors.append(f"{BUILD}/template.yaml: the layer {name} packages {uri!r}, not this commit's "
                          f"{resource['Properties']['ContentUri']}")
    return errors


def differences(expected, actual, path: str = "") -> list[str]:
    """Where two parsed templates differ, as paths (at most a few per branch)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(set(expected) | set(actual), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in actual:
                found.append(f"{where}: removed")
            elif key not in expected:
                found.append(f"{where}: added")
            else:
                found += differences(expected[key], actual[key], where)
        return found
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [d for i, (e, a) in enumerate(zip(expected, actual)) for d in differences(e, a, f"{path}[{i}]")]
    if expected != actual:
        return [f"{path}: {json.dumps(expected)[:80]} became {json.dumps(actual)[:80]}"]
    return []


def check(root: pathlib.Path, recorded: dict[str, str], require_variables: bool) -> list[str]:
    errors = []
    build = root / BUILD
    declared = yaml_parse((root / "template.yaml").read_text())
    built_template = build / "template.yaml"
    if not built_template.is_file():
        return [f"{BUILD}/template.yaml is missing: this is not a sam build"]
    built = yaml_parse(built_template.read_text())
    for difference in differences(without_code_locations(declared), without_code_locations(built)):
        errors.append(f"{BUILD}/template.yaml differs from this commit's template.yaml at {difference}")
    errors += layer_folders(root, declared, built)

    functions = built_functions(declared)
    for entry in sorted(build.iterdir()):
        if entry.name == "template.yaml":
            continue
        if entry.name not in functions:
            errors.append(f"{BUILD}/{entry.name} is not the build of any function of this commit's template.yaml")
            continue
        contents = sorted(path.name for path in entry.iterdir())
        if contents != ["bootstrap"]:
            errors.append(f"{BUILD}/{entry.name} holds {contents}, not its bootstrap alone")
    for name in functions:
        bootstrap = build / name / "bootstrap"
        if not bootstrap.is_file():
            errors.append(f"{BUILD}/{name}/bootstrap is missing")
        elif name not in recorded:
            errors.append(f"the build job recorded no digest for {name}")
        elif digests(build, [name])[name] != recorded[name]:
            errors.append(f"{BUILD}/{name}/bootstrap is not the one the build job built and verified (SHA-256 differs)")
    for name in sorted(set(recorded) - set(functions)):
        errors.append(f"the build job recorded a digest for {name}, which this commit's template.yaml does not build")

    if require_variables:
        missing = [name for name in REQUIRED_VARIABLES if not os.environ.get(name)]
        if missing:
            errors.append(f"repository variables not set: {', '.join(missing)} "
                          "(docs/DEPLOYING.md, Deploys from GitHub Actions: scripts/github-environment.sh sets them)")
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("digests", help="print bootstraps=<JSON> for $GITHUB_OUTPUT")
    checking = commands.add_parser("check", help="refuse a build that is not what this commit declares")
    checking.add_argument("--digests", required=True, help="the JSON the build job recorded")
    checking.add_argument("--require-variables", action="store_true", help="also refuse when a required repository variable is empty")
    arguments = parser.parse_args()

    if arguments.command == "digests":
        functions = built_functions(yaml_parse((ROOT / "template.yaml").read_text()))
        print("bootstraps=" + json.dumps(digests(ROOT / BUILD, functions), sort_keys=True, separators=(",", ":")))
        return 0

    try:
        recorded = json.loads(arguments.digests)
        if not isinstance(recorded, dict):
            raise ValueError("not an object")
    except ValueError as error:
        print(f"check_artifact: --digests is not the build job's JSON ({error}); was the build job's output lost?", file=sys.stderr)
        return 1
    errors = check(ROOT, recorded, arguments.require_variables)
    for error in errors:
        print(f"check_artifact: {error}", file=sys.stderr)
    if errors:
        print("check_artifact: refusing to deploy a build this commit does not declare", file=sys.stderr)
        return 1
    print(f"check_artifact: {len(recorded)} bootstraps and the template are what this commit declares")
    return 0


if __name__ == "__main__":
    sys.exit(main())
