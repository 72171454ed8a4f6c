"""Proves scripts/github-environment.sh against a stand-in for GitHub's CLI that keeps a
repository's environments, branch rules and variables the way GitHub's REST API answers them:
it makes the environment with main as its only branch rule, corrects one that admits other
branches or none, keeps or sets reviewers, sets the deploy variables from the setup stack, is
idempotent, and fails when GitHub does not end up as it should.

Usage: python -m unittest scripts/test_github_environment.py
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

SCRIPT = pathlib.Path(__file__).resolve().parent / "github-environment.sh"
REPOSITORY = "example-org/authtoken"
BASE = f"repos/{REPOSITORY}/environments/production"

# A stand-in for `gh api` and `gh variable set`, over a JSON state file.
FAKE_GH = r'''
import json, os, sys
path = os.environ["FAKE_GH_STATE"]
state = json.load(open(path))
args = sys.argv[1:]
state["calls"].append(args)

def save():
    json.dump(state, open(path, "w"))

if args[:2] == ["variable", "set"]:
    state["variables"][args[2]] = args[args.index("--body") + 1]
    save(); sys.exit(0)
assert args[0] == "api", args
method = args[args.index("--method") + 1] if "--method" in args else "GET"
route = [a for a in args[1:] if not a.startswith("-") and a not in (method, "-")][0]
body = json.load(sys.stdin) if "--input" in args else None
base = "repos/example-org/authtoken/environments/production"
if route.startswith("users/"):
    print(json.dumps({"login": route[6:], "id": state["users"][route[6:]]}))
elif route == base and method == "GET":
    if state["environment"] is None:
        print("gh: Not Found (HTTP 404)", file=sys.stderr); save(); sys.exit(1)
    print(json.dumps(state["environment"]))
elif route == base and method == "PUT":
    if state.get("ignore_writes"):
        save(); print("{}"); sys.exit(0)
    reviewers = [{"type": r["type"], "reviewer": {"id": r["id"], "login": f"user{r['id']}"}} for r in body.get("reviewers") or []]
    state["environment"] = {
        "name": "production",
        "deployment_branch_policy": body["deployment_branch_policy"],
        "protection_rules": [{"type": "required_reviewers", "reviewers": reviewers}] if reviewers else [],
    }
    print(json.dumps(state["environment"]))
elif route == base + "/deployment-branch-policies" and method == "GET":
    print(json.dumps({"total_count": len(state["policies"]), "branch_policies": state["policies"]}))
elif route == base + "/deployment-branch-policies" and method == "POST":
    state["next_id"] += 1
    state["policies"].append({"id": state["next_id"], "name": body["name"], "type": body["type"]})
    print(json.dumps(state["policies"][-1]))
elif route.startswith(base + "/deployment-branch-policies/") and method == "DELETE":
    policy = int(route.rsplit("/", 1)[1])
    state["policies"] = [p for p in state["policies"] if p["id"] != policy]
else:
    print(f"unexpected call {args}", file=sys.stderr); save(); sys.exit(3)
save()
'''

FAKE_AWS = r'''
import json, sys
print(json.dumps([
    {"OutputKey": "DeployRoleArn", "OutputValue": "arn:aws:iam::111122223333:role/authtoken-github-deploy-DeployRole-X"},
    {"OutputKey": "ArtifactsBucketName", "OutputValue": "authtoken-github-deploy-artifactsbucket-x"},
    {"OutputKey": "PermissionsBoundaryArn", "OutputValue": "arn:aws:iam::111122223333:policy/boundary"},
]))
'''


class GitHubEnvironmentTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        root = pathlib.Path(self.folder.name)
        self.state_file = root / "state.json"
        self.bin = root / "bin"
        self.bin.mkdir()
        for name, source in (("gh", FAKE_GH), ("aws", FAKE_AWS)):
            program = self.bin / name
            program.write_text(f"#!{sys.executable}\n{source}")
            program.chmod(0o755)
        # The script's own python3, straight: through pyenv's shims (bash scripts), each of its
        # calls cost a few hundred milliseconds, most of this suite's time.
        (self.bin / "python3").symlink_to(os.path.realpath(sys.executable))
        self.write_state(environment=None, policies=[])

    def tearDown(self):
        self.folder.cleanup()

    def write_state(self, **changes):
        state = {"environment": None, "policies": [], "variables": {}, "calls": [], "next_id": 100,
                 "users": {"alice": 7, "bob": 8}}
        state.update(changes)
        self.state_file.write_text(json.dumps(state))

    def state(self) -> dict:
        return json.loads(self.state_file.read_text())

    def run_script(self, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "FAKE_GH_STATE": str(self.state_file), "PATH": f"{self.bin}:{os.environ['PATH']}"}
        return subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60)

    def test_it_creates_the_environment_with_main_as_its_only_branch(self):
        result = self.run_script(REPOSITORY)
        self.assertEqual(result.returncode, 0, result.stderr)
        state = self.state()
        self.assertEqual(state["environment"]["deployment_branch_policy"],
                         {"protected_branches": False, "custom_branch_policies": True})
        self.assertEqual([(p["name"], p["type"]) for p in state["policies"]], [("main", "branch")])
        self.assertIn("deploys from main only; required reviewers: none", result.stdout)

    def test_a_second_run_changes_nothing_but_the_same_put(self):
        self.assertEqual(self.run_script(REPOSITORY).returncode, 0)
        before = self.state()
        self.write_state(**{**before, "calls": []})
        result = self.run_script(REPOSITORY)
        self.assertEqual(result.returncode, 0, result.stderr)
        after = self.state()
        self.assertEqual(after["policies"], before["policies"])
        self.assertFalse([call for call in after["calls"] if "POST" in call or "DELETE" in call], after["calls"])

    def test_other_branch_rules_are_removed(self):
        self.write_state(
            environment={"deployment_branch_policy": None, "protection_rules": []},
            policies=[{"id": 1, "name": "*", "type": "branch"}, {"id": 2, "name": "main", "type": "tag"}],
        )
        result = self.run_script(REPOSITORY)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual([(p["name"], p["type"]) for p in self.state()["policies"]], [("main", "branch")])
        self.assertIn("removed a branch rule other than main (id 1)", result.stdout)

    def test_reviewers_are_set_and_then_kept(self):
        result = self.run_script(REPOSITORY, "--reviewer", "alice", "--reviewer", "bob")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("required reviewers: user7, user8", result.stdout)
        result = self.run_script(REPOSITORY)
        self.assertIn("required reviewers: user7, user8", result.stdout)

    def test_the_variables_come_from_the_setup_stack(self):
        result = self.run_script(REPOSITORY, "--stack", "authtoken-github-deploy", "--region", "eu-west-1")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.state()["variables"], {
            "AWS_REGION": "eu-west-1",
            "AWS_DEPLOY_ROLE_ARN": "arn:aws:iam::111122223333:role/authtoken-github-deploy-DeployRole-X",
            "AWS_ARTIFACTS_BUCKET": "authtoken-github-deploy-artifactsbucket-x",
            "PERMISSIONS_BOUNDARY_ARN": "arn:aws:iam::111122223333:policy/boundary",
        })

    def test_it_fails_when_github_does_not_end_up_as_asked(self):
        self.write_state(environment={"deployment_branch_policy": None, "protection_rules": []}, ignore_writes=True)
        result = self.run_script(REPOSITORY)
        self.assertEqual(result.returncode, 1)
        self.assertIn("deployments are not limited to custom branches", result.stderr)

    def test_bad_usage_is_refused(self):
        self.assertEqual(self.run_script().returncode, 2)
        self.assertEqual(self.run_script("not a repository").returncode, 2)
        result = self.run_script(REPOSITORY, "--stack", "s")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--stack needs --region", result.stderr)


if __name__ == "__main__":
    unittest.main()
