"""Proves the properties of the GitHub workflows that docs/DEPLOYING.md promises: pinned actions, AWS
credentials only in the deploy job, deploys only from main, and one pinned SAM CLI.

Usage: python -m unittest scripts/test_workflows.py
"""

import pathlib
import re
import unittest

import yaml

WORKFLOWS = pathlib.Path(__file__).resolve().parent.parent / ".github" / "workflows"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


class WorkflowsTest(unittest.TestCase):
    def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment(self):
        for path in sorted(WORKFLOWS.glob("*.yml")):
            for line in path.read_text().splitlines():
                match = re.match(r"\s*-?\s*uses:\s*(\S+)(.*)$", line)
                if not match or match.group(1).startswith("./"):
                    continue
                self.assertRegex(match.group(1), PINNED, f"{path.name}: {line.strip()}")
                self.assertRegex(match.group(2), r"#\s*v\d", f"{path.name}: no version comment: {line.strip()}")

    def test_only_the_deploy_job_may_mint_aws_credentials(self):
        for path in sorted(WORKFLOWS.glob("*.yml")):
            workflow = yaml.safe_load(path.read_text())
            self.assertNotIn("id-token", workflow.get("permissions", {}), path.name)
            for name, job in workflow["jobs"].items():
                minting = job.get("permissions", {}).get("id-token") == "write"
                self.assertEqual(minting, (path.name, name) == ("deploy.yml", "deploy"), f"{path.name}: {name}")

    def test_the_deploy_job_runs_only_for_main_in_production_after_the_build(self):
        deploy = load("deploy.yml")["jobs"]["deploy"]
        self.assertEqual(deploy["if"], "github.ref == 'refs/heads/main'")
        self.assertEqual(deploy["environment"], "production")
        self.assertEqual(deploy["needs"], "build")

    def test_the_deploy_job_builds_nothing_and_deploys_only_the_checked_build(self):
        steps = load("deploy.yml")["jobs"]["deploy"]["steps"]
        runs = [step["run"] for step in steps if "run" in step]
        self.assertEqual(len(runs), 4, runs)
        self.assertIn("--require-hashes", runs[0])
        self.assertIn("scripts/requirements-deploy.txt", runs[0])
        self.assertEqual(runs[1], "tar -xf sam-build.tar")
        self.assertEqual(runs[2], 'python scripts/check_artifact.py check --digests "$BOOTSTRAPS" --require-variables')
        self.assertTrue(runs[3].startswith("bash scripts/deploy.sh --config-env ci"), runs[3])
        check = [step for step in steps if step.get("run") == runs[2]][0]
        self.assertEqual(check["env"]["BOOTSTRAPS"], "${{ needs.build.outputs.bootstraps }}")
        uses = [step["uses"].split("@")[0] for step in steps if "uses" in step]
        self.assertNotIn("dtolnay/rust-toolchain", uses)
        self.assertNotIn("aws-actions/setup-sam", uses)
        self.assertIn("actions/download-artifact", uses)
        # Credentials come after the check, and last but for the deploy itself.
        self.assertEqual(steps[-2]["uses"].split("@")[0], "aws-actions/configure-aws-credentials")
        self.assertLess(steps.index(check), len(steps) - 2)

    def test_the_build_job_verifies_the_artifacts_it_uploads_and_records_them(self):
        build = load("deploy.yml")["jobs"]["build"]
        self.assertEqual(build["needs"], "test")
        runs = [step.get("run") for step in build["steps"] if "run" in step]
        self.assertEqual(runs, [
            "bash scripts/package.sh --verify",
            'python3 scripts/check_artifact.py digests >> "$GITHUB_OUTPUT"',
            "tar -cf sam-build.tar .aws-sam/build",
        ])
        self.assertEqual(build["outputs"]["bootstraps"], "${{ steps.record.outputs.bootstraps }}")
        upload = build["steps"][-1]
        self.assertEqual(upload["uses"].split("@")[0], "actions/upload-artifact")
        self.assertEqual(upload["with"]["path"], "sam-build.tar")
        self.assertNotIn("permissions", build)

    def test_every_rust_toolchain_is_the_pinned_one(self):
        pinned = re.search(r'^channel = "([0-9.]+)"$', (WORKFLOWS.parent.parent / "rust-toolchain.toml").read_text(), re.MULTILINE).group(1)
        for path in sorted(WORKFLOWS.glob("*.yml")):
            for job in yaml.safe_load(path.read_text())["jobs"].values():
                for step in job.get("steps", []):
                    if step.get("uses", "").startswith("dtolnay/rust-toolchain@"):
                        self.assertEqual(step["with"]["toolchain"], pinned, path.name)

    def test_deployment_parameters_come_from_repository_variables(self):
        deploy_step = load("deploy.yml")["jobs"]["deploy"]["steps"][-1]
        self.assertEqual(
            deploy_step["env"],
            {"ARTIFACTS_BUCKET": "${{ vars.AWS_ARTIFACTS_BUCKET }}", "DEPLOY_VARIABLES": "${{ toJSON(vars) }}"},
        )

if __name__ == "__main__":
    unittest.main()
