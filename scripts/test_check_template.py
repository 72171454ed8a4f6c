"""Proves that scripts/check_template.py catches each mistake it is there to catch.

Usage: python -m unittest scripts/test_check_template.py   (from the repository root)
"""

import copy
import json
import pathlib
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import check_template  # noqa: E402  (the path above makes it importable)
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

TEMPLATE = yaml_parse((check_template.ROOT / "template.yaml").read_text())
EVENTS = check_template.event_files()


def route_errors(template: dict) -> list[str]:
    translated = check_template.translate(template)
    return check_template.check_routes(
        check_template.routes_of(translated),
        check_template.route_conditions(translated),
        check_template.stage_route_settings(translated),
        check_template.manifest_routes(),
    )


class RoutesTest(unittest.TestCase):
    def test_the_template_as_it_is_passes(self):
        self.assertEqual(route_errors(TEMPLATE), [])

    def test_a_route_with_a_trailing_slash_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        template["Resources"]["WhoamiFunction"]["Properties"]["Events"]["Whoami"]["Properties"]["Path"] = "/api/whoami/"
        errors = route_errors(template)
        self.assertTrue(any("'ANY /api/whoami/' ends in '/'" in error for error in errors), errors)

    def route_settings(self, template: dict) -> tuple[dict, dict]:
        """The RouteSettings of the template with registration open, and with it closed."""
        condition, opened, closed = template["Resources"]["HttpApi"]["Properties"]["RouteSettings"]["Fn::If"]
        self.assertEqual(condition, "RegistrationOpen")
        return opened, closed

    def test_route_settings_must_name_an_existing_route(self):
        template = copy.deepcopy(TEMPLATE)
        for settings in self.route_settings(template):
            settings["ANY /api-token-auth/"] = settings.pop("ANY /api-token-auth")
        errors = route_errors(template)
        self.assertTrue(any("RouteSettings names 'ANY /api-token-auth/'" in error for error in errors), errors)

    def test_route_settings_of_a_conditional_route_must_be_under_its_condition(self):
        template = copy.deepcopy(TEMPLATE)
        opened, closed = self.route_settings(template)
        closed["ANY /auth/users"] = opened["ANY /auth/users"]
        errors = route_errors(template)
        self.assertTrue(
            any("RouteSettings names 'ANY /auth/users' always" in error for error in errors), errors
        )

    def test_a_conditional_function_must_be_the_manifests(self):
        template = copy.deepcopy(TEMPLATE)
        del template["Resources"]["RegisterFunction"]["Condition"]
        _, errors = check_template.check_functions(template, check_template.translate(template), EVENTS)
        self.assertTrue(
            any("RegisterFunction: deployed under the condition None" in error for error in errors), errors
        )

    def test_a_mail_grant_must_be_under_sends_email_and_the_manifests(self):
        def role_errors(template: dict) -> list[str]:
            _, errors = check_template.check_functions(template, check_template.translate(template), EVENTS)
            return [error for error in errors if error.startswith("SetpasswordFunction")]

        self.assertEqual(role_errors(TEMPLATE), [])
        statements = lambda template: template["Resources"]["SetpasswordFunction"]["Properties"]["Policies"][0]["Statement"]
        unconditional = copy.deepcopy(TEMPLATE)
        queue = statements(unconditional)[-1]["Fn::If"][1]
        statements(unconditional)[-1] = queue
        errors = role_errors(unconditional)
        self.assertTrue(any("under SendsEmail the manifest grants" in error for error in errors), errors)
        missing = copy.deepcopy(TEMPLATE)
        statements(missing).pop()
        errors = role_errors(missing)
        self.assertTrue(any("under SendsEmail the manifest grants [('sqs:SendMessage', 'MailQueue')], but the template []" in error for error in errors), errors)
        foreign = copy.deepcopy(TEMPLATE)
        statements(foreign)[-1]["Fn::If"][0] = "RefreshesTokens"
        errors = role_errors(foreign)
        self.assertTrue(any("under RefreshesTokens the manifest grants []" in error for error in errors), errors)

    def test_routes_must_be_the_manifests(self):
        template = copy.deepcopy(TEMPLATE)
        events = template["Resources"]["LogoutFunction"]["Properties"]["Events"]
        events["LogoutAll"] = copy.deepcopy(events["Logout"])
        events["LogoutAll"]["Properties"]["Path"] = "/api/logout-everywhere"
        errors = route_errors(template)
        self.assertTrue(any(error.startswith("LogoutFunction: routed") for error in errors), errors)


def authorizer_errors(template: dict) -> list[str]:
    translated = check_template.translate(template)
    return check_template.check_authorizers(translated, check_template.routes_of(translated))[1]


class AuthorizersTest(unittest.TestCase):
    def test_the_template_as_it_is_passes(self):
        self.assertEqual(authorizer_errors(TEMPLATE), [])

    def authorizer(self, template: dict) -> dict:
        return template["Resources"]["HttpApi"]["Properties"]["Auth"]["Authorizers"]["TokenAuthorizer"]

    def test_payload_format_1_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        self.authorizer(template)["AuthorizerPayloadFormatVersion"] = "1.0"
        errors = authorizer_errors(template)
        self.assertTrue(any("authorizerPayloadFormatVersion is '1.0'" in error for error in errors), errors)

    def test_an_identity_source_other_than_the_authorization_header_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        self.authorizer(template)["Identity"]["Headers"] = ["X-Token"]
        errors = authorizer_errors(template)
        self.assertTrue(any("identitySource is" in error for error in errors), errors)

    def test_a_cache_given_as_a_parameter_reaches_the_body_as_a_string_and_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        self.authorizer(template)["Identity"]["ReauthorizeEvery"] = {"Ref": "AuthorizerCacheSeconds"}
        errors = authorizer_errors(template)
        self.assertTrue(any("not a literal number" in error for error in errors), errors)

    def test_a_cache_over_300_seconds_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        self.authorizer(template)["Identity"]["ReauthorizeEvery"] = {"Fn::If": ["CachesFor300", 3600, 0]}
        errors = authorizer_errors(template)
        self.assertTrue(any("caches decisions 3600 s, more than 300" in error for error in errors), errors)

    def test_a_contract_route_behind_the_authorizer_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        event = template["Resources"]["WhoamiFunction"]["Properties"]["Events"]["Whoami"]["Properties"]
        event["Auth"] = {"Authorizer": "TokenAuthorizer"}
        errors = authorizer_errors(template)
        self.assertTrue(any("WhoamiFunction: route 'ANY /api/whoami' is behind" in error for error in errors), errors)

    def test_a_route_of_your_own_behind_no_authorizer_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        del template["Resources"]["ExampleFunction"]["Properties"]["Events"]["Example"]["Properties"]["Auth"]
        errors = authorizer_errors(template)
        self.assertTrue(any("ExampleFunction: route 'GET /api/example' is behind no authorizer" in error for error in errors), errors)


class EventsTest(unittest.TestCase):
    def event_errors(self, edit, stem: str = "whoami-token") -> list[str]:
        with tempfile.TemporaryDirectory() as folder:
            files = []
            for path in EVENTS:
                event = json.loads(path.read_text())
                if path.stem == stem:
                    edit(event)
                copy_path = pathlib.Path(folder) / path.name
                copy_path.write_text(json.dumps(event))
                files.append(copy_path)
            translated = check_template.translate(TEMPLATE)
            binaries, _ = check_template.check_functions(TEMPLATE, translated, files)
            routes = check_template.routes_of(translated)
            authorized, _ = check_template.check_authorizers(translated, routes)
            return check_template.check_events(files, binaries, routes, authorized)

    def test_the_events_as_they_are_pass(self):
        self.assertEqual(self.event_errors(lambda event: None), [])

    def test_an_event_must_name_a_route_that_exists(self):
        def slashed(event):
            event["routeKey"] = event["requestContext"]["routeKey"] = "ANY /api/whoami/"

        errors = self.event_errors(slashed)
        self.assertTrue(any("routeKey 'ANY /api/whoami/' is not one of" in error for error in errors), errors)

    def test_an_event_must_name_a_route_of_its_own_function(self):
        def other(event):
            event["routeKey"] = event["requestContext"]["routeKey"] = "ANY /api/logout"

        errors = self.event_errors(other)
        self.assertTrue(any("is not one of WhoamiFunction's routes" in error for error in errors), errors)

    def test_the_raw_path_must_reach_the_route(self):
        def elsewhere(event):
            event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/whoami/x"

        errors = self.event_errors(elsewhere)
        self.assertTrue(any("does not reach route" in error for error in errors), errors)

    def test_each_function_keeps_an_event_with_the_trailing_slash(self):
        def unslashed(event):
            event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/whoami"

        errors = self.event_errors(unslashed)
        self.assertTrue(any("WhoamiFunction: no event with a trailing slash" in error for error in errors), errors)


    def test_an_authorizer_event_must_be_for_a_route_behind_it(self):
        def unprotected(event):
            event["routeKey"] = event["requestContext"]["routeKey"] = "ANY /api/whoami"
            event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/whoami/"

        errors = self.event_errors(unprotected, "authorizer-token")
        self.assertTrue(any("authorizer-token.json: routeKey 'ANY /api/whoami' is not one of" in error for error in errors), errors)

    def test_an_authorizer_event_names_the_header_as_its_identity_source(self):
        def stale(event):
            event["identitySource"] = ["Token 0123"]

        errors = self.event_errors(stale, "authorizer-token")
        self.assertTrue(any("identitySource ['Token 0123'] is not" in error for error in errors), errors)

    def test_an_authorizer_event_is_a_payload_2_request_event(self):
        def version_1(event):
            event["version"] = "1.0"

        errors = self.event_errors(version_1, "authorizer-token")
        self.assertTrue(any("not a payload 2.0 REQUEST authorizer event" in error for error in errors), errors)

    def test_an_authorizer_context_belongs_to_a_route_behind_an_authorizer(self):
        def given_context(event):
            event["requestContext"]["authorizer"] = {"lambda": {"username": "admin", "role": "x"}}

        errors = self.event_errors(given_context)
        self.assertTrue(any("'ANY /api/whoami' is behind no authorizer" in error for error in errors), errors)
        self.assertTrue(any("the authorizer gives only ['username']" in error for error in errors), errors)


class EnvVarsTest(unittest.TestCase):
    def test_the_env_vars_file_sets_only_declared_variables(self):
        self.assertEqual(check_template.check_env_vars(TEMPLATE), [])

    def test_an_undeclared_variable_is_reported(self):
        template = copy.deepcopy(TEMPLATE)
        del template["Globals"]["Function"]["Environment"]["Variables"]["AWS_ENDPOINT_URL_DYNAMODB"]
        errors = check_template.check_env_vars(template)
        self.assertTrue(any("AWS_ENDPOINT_URL_DYNAMODB is not declared" in error for error in errors), errors)


class LogsTest(unittest.TestCase):
    def test_the_template_as_it_is_passes(self):
        self.assertEqual(check_template.check_logs(TEMPLATE), [])

    def test_a_function_without_its_own_log_group_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        del template["Resources"]["WhoamiFunction"]["Properties"]["LoggingConfig"]
        errors = check_template.check_logs(template)
        self.assertTrue(any("WhoamiFunction: LoggingConfig.LogGroup" in error for error in errors), errors)

    def test_a_log_group_kept_forever_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        del template["Resources"]["LoginLogGroup"]["Properties"]["RetentionInDays"]
        errors = check_template.check_logs(template)
        self.assertTrue(any("LoginLogGroup: RetentionInDays" in error for error in errors), errors)

    def test_a_metric_filter_on_an_event_that_is_never_logged_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        template["Resources"]["LockoutsMetric"]["Properties"]["FilterPattern"] = '{ $.fields.event = "user_locked" }'
        errors = check_template.check_logs(template)
        self.assertTrue(any("no audit event 'user_locked'" in error for error in errors), errors)

    def test_a_contributor_rule_on_an_event_that_is_never_logged_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        rule = template["Resources"]["LockedUsernamesRule"]["Properties"]
        rule["RuleBody"]["Fn::Sub"] = rule["RuleBody"]["Fn::Sub"].replace("username_locked", "user_locked")
        errors = check_template.check_logs(template)
        self.assertTrue(any("LockedUsernamesRule: no audit event 'user_locked'" in error for error in errors), errors)

    def test_a_metric_filter_on_another_path_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        template["Resources"]["FailedLoginsMetric"]["Properties"]["FilterPattern"] = '{ $.event = "login_failed" }'
        errors = check_template.check_logs(template)
        self.assertTrue(any("FailedLoginsMetric: pattern" in error for error in errors), errors)


class PoliciesTest(unittest.TestCase):
    def test_whoami_may_only_read_tokens(self):
        template = copy.deepcopy(TEMPLATE)
        statement = template["Resources"]["WhoamiFunction"]["Properties"]["Policies"][0]["Statement"][0]
        statement["Action"] = ["dynamodb:GetItem", "dynamodb:DeleteItem"]
        errors = check_template.check_role("WhoamiFunction", check_template.FUNCTIONS["whoami"], check_template.translate(template))
        self.assertTrue(any("the manifest grants whoami [('dynamodb:GetItem', 'TokensTable')]" in error for error in errors), errors)

    def test_the_authorizer_may_only_read_tokens(self):
        template = copy.deepcopy(TEMPLATE)
        statement = template["Resources"]["AuthorizerFunction"]["Properties"]["Policies"][0]["Statement"][0]
        statement["Resource"] = {"Fn::GetAtt": ["UsersTable", "Arn"]}
        errors = check_template.check_role("AuthorizerFunction", check_template.FUNCTIONS["authorizer"], check_template.translate(template))
        self.assertTrue(any("the manifest grants authorizer" in error for error in errors), errors)

    def test_the_example_may_not_touch_dynamodb(self):
        template = copy.deepcopy(TEMPLATE)
        template["Resources"]["ExampleFunction"]["Properties"]["Policies"] = copy.deepcopy(
            template["Resources"]["WhoamiFunction"]["Properties"]["Policies"]
        )
        errors = check_template.check_role("ExampleFunction", check_template.FUNCTIONS["example"], check_template.translate(template))
        self.assertTrue(any("the manifest grants example []" in error for error in errors), errors)

    def test_sliding_expiry_may_only_add_updates_of_expiries_under_its_condition(self):
        for change, message in [
            (lambda branches: branches[1].update(Action=["dynamodb:DeleteItem"]), "under RefreshesTokens the manifest grants"),
            (lambda branches: branches.__setitem__(0, "Always"), "unknown condition 'Always'"),
            (lambda branches: branches.__setitem__(2, branches[1]), "must grant nothing when RefreshesTokens is false"),
        ]:
            template = copy.deepcopy(TEMPLATE)
            statements = template["Resources"]["WhoamiFunction"]["Properties"]["Policies"][0]["Statement"]
            branches = next(statement["Fn::If"] for statement in statements if "Fn::If" in statement)
            change(branches)
            errors = check_template.check_role("WhoamiFunction", check_template.FUNCTIONS["whoami"], check_template.translate(template))
            self.assertTrue(any(message in error for error in errors), (message, errors))

    def test_a_grant_the_manifest_declares_must_be_in_the_template(self):
        template = copy.deepcopy(TEMPLATE)
        statements = template["Resources"]["LogoutFunction"]["Properties"]["Policies"][0]["Statement"]
        statements[0]["Action"] = ["dynamodb:GetItem"]
        errors = check_template.check_role("LogoutFunction", check_template.FUNCTIONS["logout"], check_template.translate(template))
        self.assertTrue(any("but the manifest grants logout" in error for error in errors), errors)

    def test_only_the_function_the_manifest_names_may_read_the_seal_secret(self):
        template = copy.deepcopy(TEMPLATE)
        login = template["Resources"]["LoginFunction"]["Properties"]["Policies"][0]["Statement"]
        template["Resources"]["WhoamiFunction"]["Properties"]["Policies"][0]["Statement"].append(copy.deepcopy(login[-1]))
        errors = check_template.check_role("WhoamiFunction", check_template.FUNCTIONS["whoami"], check_template.translate(template))
        self.assertTrue(any("secretsmanager:GetSecretValue" in error for error in errors), errors)

    def test_wildcard_actions_are_refused(self):
        template = copy.deepcopy(TEMPLATE)
        statement = template["Resources"]["LoginFunction"]["Properties"]["Policies"][0]["Statement"][0]
        statement["Action"] = "dynamodb:*"
        errors = check_template.check_role("LoginFunction", check_template.FUNCTIONS["login"], check_template.translate(template))
        self.assertTrue(any("'dynamodb:*' is not a named DynamoDB, SQS or SES action" in error for error in errors), errors)


class ParametersTest(unittest.TestCase):
    def test_the_template_as_it_is_passes(self):
        self.assertEqual(check_template.check_parameters(TEMPLATE), [])

    def test_a_parameter_the_manifest_does_not_declare_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        template["Parameters"]["TokenColour"] = {"Type": "String", "Default": "blue"}
        errors = check_template.check_parameters(template)
        self.assertIn("parameter TokenColour is not a setting of the manifest (shared/src/manifest/settings.rs)", errors)

    def test_a_default_or_bound_that_differs_from_the_manifest_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        template["Parameters"]["TokenTtlSeconds"]["Default"] = 60
        template["Parameters"]["LoginLockoutMaxSeconds"]["MaxValue"] = 3600
        template["Parameters"]["TokenFormat"]["AllowedValues"] = ["hex"]
        errors = check_template.check_parameters(template)
        self.assertTrue(any(e.startswith("parameter TokenTtlSeconds: Default 60") for e in errors), errors)
        self.assertTrue(any(e.startswith("parameter LoginLockoutMaxSeconds: MinValue/MaxValue") for e in errors), errors)
        self.assertTrue(any(e.startswith("parameter TokenFormat: AllowedValues ['hex']") for e in errors), errors)

    def test_a_function_must_be_handed_the_settings_it_reads(self):
        template = copy.deepcopy(TEMPLATE)
        del template["Resources"]["LoginFunction"]["Properties"]["Environment"]["Variables"]["LOGIN_LOCKOUT_THRESHOLD"]
        template["Globals"]["Function"]["Environment"]["Variables"]["TOKEN_FORMAT"] = "hex"
        errors = check_template.check_parameters(template)
        self.assertIn("LoginFunction: reads LOGIN_LOCKOUT_THRESHOLD, which the template does not set", errors)
        self.assertIn("WhoamiFunction: TOKEN_FORMAT is not !Ref TokenFormat", errors)


if __name__ == "__main__":
    unittest.main()
