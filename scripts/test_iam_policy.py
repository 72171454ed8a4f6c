"""IAM's evaluation rules, as scripts/iam_policy.py implements them (each case from the IAM
User Guide's policy evaluation logic and condition operator pages).

Usage: python -m unittest scripts/test_iam_policy.py
"""

import unittest

from iam_policy import ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, Request, evaluate

TABLE = "arn:aws:dynamodb:us-east-1:111122223333:table/app-UsersTable-X1"


def allow(action, resource, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource, **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


class EvaluationTest(unittest.TestCase):
    def outcome(self, statements, action, resource, **context):
        return evaluate(statements, Request(action, resource, context)).outcome

    def test_nothing_allowed_is_an_implicit_deny(self):
        self.assertEqual(self.outcome([], "dynamodb:GetItem", TABLE), IMPLICIT_DENY)

    def test_an_explicit_deny_wins_over_any_allow(self):
        statements = [allow("dynamodb:*", "*"), deny("dynamodb:DeleteTable", TABLE)]
        self.assertEqual(self.outcome(statements, "dynamodb:DeleteTable", TABLE), EXPLICIT_DENY)
        self.assertEqual(self.outcome(statements, "dynamodb:DescribeTable", TABLE), ALLOW)

    def test_actions_match_without_case_and_with_wildcards(self):
        statements = [allow("DynamoDB:Describe*", "*")]
        self.assertEqual(self.outcome(statements, "dynamodb:DescribeTable", TABLE), ALLOW)
        self.assertEqual(self.outcome(statements, "dynamodb:DeleteTable", TABLE), IMPLICIT_DENY)
        self.assertEqual(self.outcome([allow("iam:?etRole", "*")], "iam:GetRole", "*"), ALLOW)

    def test_resources_match_with_case_and_a_star_spans_separators(self):
        statements = [allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/app-*")]
        self.assertEqual(self.outcome(statements, "dynamodb:GetItem", TABLE), ALLOW)
        self.assertEqual(self.outcome(statements, "dynamodb:GetItem", TABLE.replace("app-", "App-")), IMPLICIT_DENY)
        self.assertEqual(self.outcome(statements, "dynamodb:GetItem", TABLE + "/index/byEmail"), ALLOW)

    def test_an_action_without_resource_level_permissions_needs_a_star(self):
        scoped = [allow("logs:DescribeLogGroups", "arn:aws:logs:us-east-1:111122223333:log-group:app-*")]
        self.assertEqual(self.outcome(scoped, "logs:DescribeLogGroups", "*"), IMPLICIT_DENY)
        self.assertEqual(self.outcome([allow("logs:DescribeLogGroups", "*")], "logs:DescribeLogGroups", "*"), ALLOW)

    def test_not_action_and_not_resource(self):
        statements = [
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "dynamodb:*", "NotResource": "arn:aws:dynamodb:*:*:table/app-*"},
        ]
        self.assertEqual(self.outcome(statements, "iam:CreateRole", "*"), IMPLICIT_DENY)
        self.assertEqual(self.outcome(statements, "dynamodb:GetItem", TABLE), ALLOW)
        other = "arn:aws:dynamodb:us-east-1:111122223333:table/payroll"
        self.assertEqual(self.outcome(statements, "dynamodb:GetItem", other), EXPLICIT_DENY)

    def test_a_positive_operator_on_a_missing_key_is_false(self):
        statements = [allow("iam:CreateRole", "*", Condition={"StringEquals": {"iam:PermissionsBoundary": "b"}})]
        self.assertEqual(self.outcome(statements, "iam:CreateRole", "*"), IMPLICIT_DENY)
        self.assertEqual(self.outcome(statements, "iam:CreateRole", "*", **{"iam:PermissionsBoundary": "b"}), ALLOW)
        self.assertEqual(self.outcome(statements, "iam:CreateRole", "*", **{"iam:PermissionsBoundary": "c"}), IMPLICIT_DENY)

    def test_a_negated_operator_on_a_missing_key_is_true(self):
        statements = [
            allow("iam:CreateRole", "*"),
            deny("iam:CreateRole", "*", Condition={"StringNotEquals": {"iam:PermissionsBoundary": "b"}}),
        ]
        self.assertEqual(self.outcome(statements, "iam:CreateRole", "*"), EXPLICIT_DENY)
        self.assertEqual(self.outcome(statements, "iam:CreateRole", "*", **{"iam:PermissionsBoundary": "c"}), EXPLICIT_DENY)
        self.assertEqual(self.outcome(statements, "iam:CreateRole", "*", **{"iam:PermissionsBoundary": "b"}), ALLOW)

    def test_if_exists_holds_when_the_key_is_missing(self):
        statements = [allow("s3:PutObject", "*", Condition={"StringEqualsIfExists": {"s3:x-amz-acl": "private"}})]
        self.assertEqual(self.outcome(statements, "s3:PutObject", "*"), ALLOW)
        self.assertEqual(self.outcome(statements, "s3:PutObject", "*", **{"s3:x-amz-acl": "public-read"}), IMPLICIT_DENY)

    def test_null_tests_presence(self):
        absent = [allow("iam:CreateRole", "*", Condition={"Null": {"iam:PermissionsBoundary": "true"}})]
        self.assertEqual(self.outcome(absent, "iam:CreateRole", "*"), ALLOW)
        self.assertEqual(self.outcome(absent, "iam:CreateRole", "*", **{"iam:PermissionsBoundary": "b"}), IMPLICIT_DENY)

    def test_set_operators(self):
        any_value = [allow("a:B", "*", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["x", "y"]}})]
        all_values = [allow("a:B", "*", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["x", "y"]}})]
        self.assertEqual(self.outcome(any_value, "a:B", "*", **{"aws:TagKeys": ["z", "y"]}), ALLOW)
        self.assertEqual(self.outcome(any_value, "a:B", "*"), IMPLICIT_DENY)
        self.assertEqual(self.outcome(all_values, "a:B", "*", **{"aws:TagKeys": ["z", "y"]}), IMPLICIT_DENY)
        self.assertEqual(self.outcome(all_values, "a:B", "*", **{"aws:TagKeys": ["x"]}), ALLOW)
        self.assertEqual(self.outcome(all_values, "a:B", "*"), ALLOW)

    def test_every_operator_and_key_of_a_block_must_hold(self):
        condition = {
            "StringEquals": {"iam:PassedToService": "lambda.amazonaws.com", "aws:RequestedRegion": "us-east-1"},
            "Bool": {"aws:SecureTransport": "true"},
        }
        statements = [allow("iam:PassRole", "*", Condition=condition)]
        context = {"iam:PassedToService": "lambda.amazonaws.com", "aws:RequestedRegion": "us-east-1"}
        self.assertEqual(self.outcome(statements, "iam:PassRole", "*", **context), IMPLICIT_DENY)
        self.assertEqual(self.outcome(statements, "iam:PassRole", "*", **context, **{"aws:SecureTransport": "true"}), ALLOW)

    def test_arn_operators_compare_field_by_field(self):
        statements = [allow("iam:AttachRolePolicy", "*", Condition={"ArnLike": {"iam:PolicyARN": "arn:aws:iam::aws:policy/service-role/*"}})]
        basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        admin = "arn:aws:iam::aws:policy/AdministratorAccess"
        self.assertEqual(self.outcome(statements, "iam:AttachRolePolicy", "*", **{"iam:PolicyARN": basic}), ALLOW)
        self.assertEqual(self.outcome(statements, "iam:AttachRolePolicy", "*", **{"iam:PolicyARN": admin}), IMPLICIT_DENY)
        self.assertEqual(self.outcome(statements, "iam:AttachRolePolicy", "*", **{"iam:PolicyARN": "not-an-arn"}), IMPLICIT_DENY)

    def test_numeric_operators(self):
        statements = [allow("a:B", "*", Condition={"NumericLessThanEquals": {"a:n": "300"}})]
        self.assertEqual(self.outcome(statements, "a:B", "*", **{"a:n": "300"}), ALLOW)
        self.assertEqual(self.outcome(statements, "a:B", "*", **{"a:n": "301"}), IMPLICIT_DENY)

    def test_an_unknown_operator_is_an_error_not_a_guess(self):
        with self.assertRaises(ValueError):
            evaluate([allow("a:B", "*", Condition={"DateLessThan": {"aws:CurrentTime": "x"}})], Request("a:B", "*", {"aws:CurrentTime": "y"}))


if __name__ == "__main__":
    unittest.main()
