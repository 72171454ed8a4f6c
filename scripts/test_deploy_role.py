"""Proves the security properties of deploy/github-oidc-role.yaml that the README promises:
who may assume the deploy role, and that what it may do is scoped to the stack.

Usage: python -m unittest scripts/test_deploy_role.py   (needs cfn-lint installed, for its parser)
"""

import pathlib
import unittest

from cfnlint.decode import decode

TEMPLATE_PATH = pathlib.Path(__file__).resolve().parent.parent / "deploy" / "github-oidc-role.yaml"


def load() -> dict:
    template, problems = decode(str(TEMPLATE_PATH))
    if problems:
        raise AssertionError(f"{TEMPLATE_PATH}: {problems}")
    return template


def statements(template: dict) -> list[dict]:
    role = template["Resources"]["DeployRole"]["Properties"]
    return [statement for policy in role["Policies"] for statement in policy["PolicyDocument"]["Statement"]]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def text(resource) -> str:
    """A resource ARN as written: a plain string, or the pattern of its Fn::Sub."""
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        return resource["Fn::Sub"]
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return "${" + ".".join(resource["Fn::GetAtt"]) + "}"
    return str(resource)


class DeployRoleTest(unittest.TestCase):
    def setUp(self):
        self.template = load()

    def test_only_the_repositorys_production_environment_may_assume_it(self):
        trust = self.template["Resources"]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"]
        [statement] = trust["Statement"]
        self.assertEqual(statement["Action"], "sts:AssumeRoleWithWebIdentity")
        conditions = statement["Condition"]["StringEquals"]
        self.assertEqual(conditions["token.actions.githubusercontent.com:aud"], "sts.amazonaws.com")
        self.assertEqual(
            text(conditions["token.actions.githubusercontent.com:sub"]),
            "repo:${GitHubRepository}:environment:${GitHubEnvironment}",
        )
        self.assertNotIn("StringLike", statement["Condition"], "no wildcard subjects")
        self.assertEqual(self.template["Parameters"]["GitHubEnvironment"]["Default"], "production")

    def test_no_action_is_a_wildcard(self):
        for statement in statements(self.template):
            for action in as_list(statement["Action"]):
                self.assertNotIn("*", action, statement.get("Sid"))

    def test_every_resource_is_scoped_to_the_stack_or_its_bucket(self):
        for statement in statements(self.template):
            for resource in as_list(statement["Resource"]):
                arn = text(resource)
                scoped = (
                    "${AppStackName}" in arn
                    or "ArtifactsBucket" in arn
                    or arn.endswith(":aws:transform/Serverless-2016-10-31")
                    or ":apigateway:${AWS::Region}::/" in arn
                )
                self.assertTrue(scoped, f"{statement.get('Sid')}: {arn} is not scoped")
                self.assertNotEqual(arn, "*", statement.get("Sid"))

    def test_the_tables_cannot_be_deleted(self):
        granted = {action for statement in statements(self.template) for action in as_list(statement["Action"])}
        self.assertNotIn("dynamodb:DeleteTable", granted)
        self.assertNotIn("cloudformation:DeleteStack", granted)

    def test_roles_go_to_lambda_only_with_the_basic_execution_policy_only(self):
        by_sid = {statement.get("Sid"): statement for statement in statements(self.template)}
        passing = by_sid["StackRolesToLambdaOnly"]
        self.assertEqual(passing["Action"], "iam:PassRole")
        self.assertEqual(passing["Condition"]["StringEquals"]["iam:PassedToService"], "lambda.amazonaws.com")
        attaching = by_sid["StackRolesBasicExecutionOnly"]
        self.assertEqual(
            text(attaching["Condition"]["ArnEquals"]["iam:PolicyARN"]),
            "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        )
        for sid, statement in by_sid.items():
            if sid not in ("StackRolesToLambdaOnly", "StackRolesBasicExecutionOnly"):
                actions = as_list(statement["Action"])
                self.assertNotIn("iam:PassRole", actions, sid)
                self.assertNotIn("iam:AttachRolePolicy", actions, sid)

    def test_the_outputs_are_the_variables_the_workflow_reads(self):
        self.assertEqual(set(self.template["Outputs"]), {"DeployRoleArn", "ArtifactsBucketName"})
        workflow = (TEMPLATE_PATH.parent.parent / ".github" / "workflows" / "deploy.yml").read_text()
        for variable in ("vars.AWS_DEPLOY_ROLE_ARN", "vars.AWS_ARTIFACTS_BUCKET", "vars.AWS_REGION"):
            self.assertIn(variable, workflow)


if __name__ == "__main__":
    unittest.main()
