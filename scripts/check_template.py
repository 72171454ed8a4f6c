"""Checks that template.yaml, the function crates and events/ agree with one another.

- every function in the template is built by cargo-lambda from a crate in functions/ whose
  package and binary have the function's binary name, and has at least one event;
- every crate in functions/ is a function in the template;
- every event names a route (method and path) of the function it belongs to;
- every function's permissions are explicit statements (no *Policy templates) naming only
  DynamoDB actions on the project's tables, and whoami may only read the tokens table.

Usage: python scripts/check_template.py   (from the repository root; needs cfn-lint installed)
"""

import json
import pathlib
import sys
import tomllib

from cfnlint.decode import decode

ROOT = pathlib.Path(__file__).resolve().parent.parent
TABLES = {"UsersTable", "TokensTable"}
WHOAMI_MAY = {("dynamodb:GetItem", "TokensTable")}


def main() -> int:
    template, problems = decode(str(ROOT / "template.yaml"))
    if problems:
        for problem in problems:
            print(f"template.yaml: {problem}")
        return 1
    errors: list[str] = []
    functions = {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    events = sorted((ROOT / "events").glob("*.json"))
    binaries = {}
    for name, resource in functions.items():
        metadata = resource.get("Metadata", {})
        if metadata.get("BuildMethod") != "rust-cargolambda":
            errors.append(f"{name}: Metadata.BuildMethod is not rust-cargolambda")
        binary = metadata.get("BuildProperties", {}).get("Binary")
        if not binary:
            errors.append(f"{name}: no Metadata.BuildProperties.Binary")
            continue
        binaries[binary] = name
        manifest = ROOT / "functions" / binary / "Cargo.toml"
        if not manifest.is_file():
            errors.append(f"{name}: binary {binary!r} has no crate at functions/{binary}/")
        elif tomllib.loads(manifest.read_text())["package"]["name"] != binary:
            errors.append(f"{name}: functions/{binary}/Cargo.toml is not package {binary!r}")
        if not any(event.stem.split("-")[0] == binary for event in events):
            errors.append(f"{name}: no events/{binary}-*.json")
        errors += check_policies(name, binary, resource["Properties"].get("Policies", []))

    for manifest in sorted((ROOT / "functions").glob("*/Cargo.toml")):
        crate = manifest.parent.name
        if crate not in binaries:
            errors.append(f"functions/{crate}/ is not a function in template.yaml")

    for event_file in events:
        binary = event_file.stem.split("-")[0]
        if binary not in binaries:
            errors.append(f"events/{event_file.name}: no function {binary!r} in template.yaml")
            continue
        event = json.loads(event_file.read_text())
        method, _, path = event["routeKey"].partition(" ")
        routes = {
            (e["Properties"]["Method"].upper(), e["Properties"]["Path"])
            for e in functions[binaries[binary]]["Properties"].get("Events", {}).values()
            if e["Type"] == "HttpApi"
        }
        if (method, path) not in routes:
            errors.append(f"events/{event_file.name}: route {method} {path} is not one of {binaries[binary]}'s: {sorted(routes)}")
        http = event["requestContext"]["http"]
        if method != "ANY" and http["method"] != method:
            errors.append(f"events/{event_file.name}: method {http['method']} does not match its route")

    for error in errors:
        print(f"check_template: {error}")
    if errors:
        return 1
    print(f"check_template: {len(functions)} functions, {len(events)} events: consistent")
    return 0


def check_policies(name: str, binary: str, policies: list) -> list[str]:
    errors = []
    granted = set()
    for policy in policies:
        if not isinstance(policy, dict) or "Statement" not in policy:
            errors.append(f"{name}: policy {policy!r} is not an explicit statement list")
            continue
        for statement in policy["Statement"]:
            actions = statement["Action"]
            resources = statement["Resource"]
            actions = actions if isinstance(actions, list) else [actions]
            resources = resources if isinstance(resources, list) else [resources]
            for resource in resources:
                table = resource.get("Fn::GetAtt", [None])[0] if isinstance(resource, dict) else None
                if table not in TABLES:
                    errors.append(f"{name}: resource {resource!r} is not one of the tables")
                for action in actions:
                    if not action.startswith("dynamodb:") or "*" in action:
                        errors.append(f"{name}: action {action!r} is not a named DynamoDB action")
                    granted.add((action, table))
    if binary == "whoami" and granted != WHOAMI_MAY:
        errors.append(f"{name}: whoami may only read the tokens table, but is granted {sorted(granted)}")
    return errors


if __name__ == "__main__":
    sys.exit(main())
