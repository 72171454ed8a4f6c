"""Proves that scripts/check_deploy_role.py passes the deploy role as it is, and catches each
hole it is there to catch: a permission CloudFormation's handlers need that the role lacks, a
rollback that cannot finish, a way for the role to escalate, and a template change (a new
property, a new resource type, a role without the boundary) that the role does not cover.

Usage: python -m unittest scripts/test_check_deploy_role.py   (from the repository root)
"""

import contextlib
import copy
import io
import json
import pathlib
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import check_deploy_role  # noqa: E402  (the path above makes it importable)
from cfnlint.decode import decode  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

APP = yaml_parse(check_deploy_role.APP_TEMPLATE.read_text())
SETUP, _ = decode(str(check_deploy_role.SETUP_TEMPLATE))


def statements(setup: dict) -> list[dict]:
    return setup["Resources"]["DeployPolicy"]["Properties"]["PolicyDocument"]["Statement"]


def by_sid(setup: dict, sid: str) -> dict:
    [statement] = [s for s in statements(setup) if s.get("Sid") == sid]
    return statement


class CheckDeployRoleTest(unittest.TestCase):
    def errors(self, setup: dict = SETUP, app: dict = APP) -> list[str]:
        with tempfile.TemporaryDirectory() as folder:
            path = pathlib.Path(folder) / "github-oidc-role.json"
            path.write_text(json.dumps(setup))
            with contextlib.redirect_stdout(io.StringIO()):
                return check_deploy_role.check(path, copy.deepcopy(app))

    def assertFound(self, errors: list[str], *fragments: str):
        for fragment in fragments:
            self.assertTrue(any(fragment in error for error in errors), f"{fragment!r} not in {errors}")

    def test_the_role_as_it_is_deploys_the_template_and_cannot_escalate(self):
        self.assertEqual(self.errors(), [])

    def test_describe_log_groups_scoped_to_the_stack_is_refused_by_iam(self):
        setup = copy.deepcopy(SETUP)
        by_sid(setup, "AccountWideReads")["Action"].remove("logs:DescribeLogGroups")
        by_sid(setup, "StackLogGroups")["Action"].append("logs:DescribeLogGroups")
        self.assertFound(self.errors(setup), "create handler: logs:DescribeLogGroups on * is not allowed")

    def test_a_rollback_that_cannot_delete_the_lockouts_table_is_found(self):
        setup = copy.deepcopy(SETUP)
        statements(setup).remove(by_sid(setup, "LockoutsTableRollsBack"))
        self.assertFound(self.errors(setup), "LockoutsTable (AWS::DynamoDB::Table) delete handler: dynamodb:DeleteTable")

    def test_a_read_handler_permission_the_role_lacks_is_found(self):
        setup = copy.deepcopy(SETUP)
        by_sid(setup, "StackFunctions")["Action"].remove("lambda:GetFunctionScalingConfig")
        self.assertFound(self.errors(setup), "read handler: lambda:GetFunctionScalingConfig")

    def test_a_role_that_may_change_itself_is_found(self):
        setup = copy.deepcopy(SETUP)
        statements(setup).remove(by_sid(setup, "NotItself"))
        statements(setup).remove(by_sid(setup, "RolesOnlyWithTheBoundary"))
        for sid in ("StackRolesWithTheBoundary", "StackRoles", "StackRolesToLambdaOnly"):
            by_sid(setup, sid)["Resource"] = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AppStackName}-*"}
            by_sid(setup, sid).pop("Condition", None) if sid != "StackRolesToLambdaOnly" else None
        self.assertFound(self.errors(setup), "the role may put an inline policy on itself", "change its own trust policy")

    def test_roles_without_the_boundary_are_found(self):
        setup = copy.deepcopy(SETUP)
        statements(setup).remove(by_sid(setup, "RolesOnlyWithTheBoundary"))
        del by_sid(setup, "StackRolesWithTheBoundary")["Condition"]
        self.assertFound(self.errors(setup), "create a role without the boundary", "create a role with another boundary")

    def test_a_boundary_that_can_be_removed_is_found(self):
        setup = copy.deepcopy(SETUP)
        statements(setup).remove(by_sid(setup, "BoundariesStay"))
        by_sid(setup, "StackRoles")["Action"].append("iam:DeleteRolePermissionsBoundary")
        self.assertFound(self.errors(setup), "remove a stack role's boundary")

    def test_deleting_the_retained_tables_or_the_stack_is_found(self):
        setup = copy.deepcopy(SETUP)
        statements(setup).remove(by_sid(setup, "OnlyTheLockoutsTableIsDeleted"))
        statements(setup).remove(by_sid(setup, "StackStays"))
        by_sid(setup, "StackTables")["Action"].append("dynamodb:DeleteTable")
        by_sid(setup, "CloudFormationOnTheStack")["Action"].append("cloudformation:DeleteStack")
        self.assertFound(self.errors(setup), "delete the users table", "delete the tokens table", "delete the stack")

    def test_a_permission_listed_as_not_granted_that_the_role_grants_is_found(self):
        setup = copy.deepcopy(SETUP)
        by_sid(setup, "AccountWideReads")["Action"].append("ec2:DescribeVpcs")
        self.assertFound(self.errors(setup), "ec2:DescribeVpcs is listed as not granted, but the role allows it")

    def test_a_new_property_that_needs_a_permission_is_found(self):
        app = copy.deepcopy(APP)
        app["Resources"]["WhoamiFunction"]["Properties"]["VpcConfig"] = {"SecurityGroupIds": ["sg-1"], "SubnetIds": ["subnet-1"]}
        self.assertFound(self.errors(app=app), "WhoamiFunction sets VpcConfig", "ec2:DescribeSecurityGroups")

    def test_a_new_resource_type_is_found(self):
        app = copy.deepcopy(APP)
        app["Resources"]["Alerts"] = {"Type": "AWS::SNS::Topic", "Properties": {}}
        self.assertFound(self.errors(app=app), "Alerts: AWS::SNS::Topic is new to this check", "sns:CreateTopic")

    def test_a_users_table_that_is_not_retained_cannot_be_deleted_by_a_rollback(self):
        app = copy.deepcopy(APP)
        del app["Resources"]["UsersTable"]["DeletionPolicy"]
        self.assertFound(self.errors(app=app), "UsersTable (AWS::DynamoDB::Table) delete handler: dynamodb:DeleteTable")

    def test_a_function_role_without_the_boundary_is_found(self):
        app = copy.deepcopy(APP)
        del app["Globals"]["Function"]["PermissionsBoundary"]
        self.assertFound(self.errors(app=app), "LoginFunctionRole: no PermissionsBoundary", "create handler: iam:CreateRole")

    def test_a_function_permission_outside_the_boundary_is_found(self):
        app = copy.deepcopy(APP)
        app["Resources"]["WhoamiFunction"]["Properties"]["Policies"][0]["Statement"].append(
            {"Effect": "Allow", "Action": ["ses:SendEmail"], "Resource": "*"})
        self.assertFound(self.errors(app=app), "WhoamiFunctionRole: ses:SendEmail on * is outside the permissions boundary")


if __name__ == "__main__":
    unittest.main()
