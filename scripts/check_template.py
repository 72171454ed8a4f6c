"""Checks template.yaml, as AWS SAM translates it, against manifest.json, functions/ and events/.

manifest.json is generated from shared/src/manifest, where every function and every setting is
declared once; template.yaml is written by hand and held to it here, in one place.

SAM turns template.yaml into the CloudFormation that is deployed: the HTTP API becomes an
OpenAPI body whose paths are the routes, and each function gets an IAM role. This script runs
the same translator (samtranslator, installed with the SAM CLI) offline and checks the result:

Routes
- no route key ends in "/" (API Gateway refuses or silently drops such routes; a request for
  /x/ reaches the route /x anyway);
- every key of the stage's RouteSettings is a route key (otherwise the stage fails to deploy
  with "Unable to find Route by key");
- the routes of each function are exactly the manifest's.

Authorizers
- every Lambda authorizer of the HTTP API is a REQUEST authorizer with payload format 2.0,
  simple responses and the identity source $request.header.Authorization, served by a function
  of the template that has no routes of its own, whose decisions are cached a literal number of
  seconds (in every branch of an Fn::If), at most 300;
- the contract's routes (the manifest's "contract" functions) are behind no authorizer: they
  answer DRF's own 401s; every other route is behind one.

Functions
- the template's functions are the manifest's, each built by cargo-lambda from the binary
  functions/src/bin/<binary>.rs and named after it (binary login -> LoginFunction); every binary
  there is a function, and has events/<binary>-*.json;
- every function's role has the basic execution policy and otherwise only inline statements
  granting exactly the manifest's DynamoDB actions on the project's tables, the manifest's
  sliding-expiry grants only under the RefreshesTokens condition, mail queue grants only under
  SendsEmail, and reading the seal secret
  only to the function the manifest says reads it.

Parameters
- every parameter is a setting of the manifest and every setting with a parameter is one, with
  the same default and the same bounds (MinValue/MaxValue or AllowedValues);
- every function the manifest says reads a setting is handed it: its variable is in the
  function's environment (its own or the Globals'), as a Ref to the setting's parameter if it
  has one.

Events
- every event's routeKey (top level and in requestContext) is a route of its function, and its
  rawPath is that route's path, with or without the trailing slash;
- each function has at least one event whose rawPath ends in "/", as DRF clients send it;
- an authorizer's events are payload 2.0 REQUEST authorizer events for a route behind that
  authorizer, whose identitySource holds the Authorization header (absent without one) and
  whose routeArn names the route's method and path;
- an event that carries an authorizer context (requestContext.authorizer.lambda) is for a route
  behind an authorizer, and carries only what the authorizer gives (username);
- events/env.json (for `sam local invoke --env-vars`) sets only variables that every function
  declares, since SAM ignores the others.

Logs
- every function logs to a log group of its own, declared in the template with the retention
  parameter (LogRetentionDays);
- every metric filter counts an audit event that shared/src/audit.rs emits, by the JSON path the
  functions' log lines have ({ $.fields.event = "..." }), and every Contributor Insights rule
  counts the usernames of events it emits.

Usage: python scripts/check_template.py   (from anywhere; needs the SAM CLI's samtranslator)
"""

import copy
import json
import os
import pathlib
import re
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENV_VARS = ROOT / "events" / "env.json"
MANIFEST = json.loads((ROOT / "manifest.json").read_text())
FUNCTIONS = {function["binary"]: function for function in MANIFEST["functions"]}
TABLES = {"UsersTable", "TokensTable", "LockoutsTable"}
# The one grant outside the tables: reading the seal secret (sealing and opening per-user keys).
SEAL_SECRET = "TokenSealSecret"
SECRET_GRANT = ("secretsmanager:GetSecretValue", SEAL_SECRET)
# The one condition a statement may be granted under (!If [Condition, statement, NoValue]):
# sliding expiry, which lets functions move a token's expiry.
# The conditions a statement of a role may be granted under, each with the manifest's grants it
# must add: sliding expiry's writes, and posting to the mail queue when the stack sends email.
CONDITIONAL_GRANTS = {"RefreshesTokens": "refresh_grants", "SendsEmail": "mail_grants"}
# The contract's functions answer DRF's own 401s: no authorizer in front of them.
CONTRACT_FUNCTIONS = {f["resource"] for f in MANIFEST["functions"] if f["kind"] == "contract"}
AUTHORIZER_IDENTITY = ["$request.header.Authorization"]
# What the authorizer puts in a request's context (authtoken::authorizer::Grant).
AUTHORIZER_CONTEXT = {"username"}
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
# Other resources a role may act on (the manifest's authtoken::manifest::Resource), besides the
# tables: the password reset's queue, the users table's index by email address, and SES.
QUEUE = "MailQueue"
EMAIL_INDEX = "UsersTable/index/ByEmail"
EMAIL_INDEX_ARN = {"Fn::Sub": "${UsersTable.Arn}/index/ByEmail"}
SEND_EMAIL = "EmailFrom"
# Sending is granted on every identity and the stack's configuration set, on condition that the
# sender is EmailFrom: the grant names no identity, whose ARN depends on how it was verified.
SES_RESOURCES = [
    {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*"},
    {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${MailConfigurationSet}"},
]
SES_CONDITION = {"StringEquals": {"ses:FromAddress": {"Ref": "EmailFrom"}}}
# The services whose named actions a role may hold.
SERVICES = ("dynamodb:", "sqs:", "ses:")


class NoManagedPolicies:
    """The translator asks for the account's managed policies only to resolve policy names;
    this template names none, so nothing needs to be fetched from AWS."""

    def load(self) -> dict:
        return {}


def translate(template: dict) -> dict:
    """The CloudFormation that SAM would deploy. Code and layer locations are replaced by dummy
    S3 URIs, as `sam validate` does, since only `sam build` / `sam deploy` resolve them."""
    template = copy.deepcopy(template)
    template.setdefault("Globals", {}).setdefault("Function", {})["CodeUri"] = "s3://bucket/code.zip"
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"].pop("CodeUri", None)
        if resource["Type"] == "AWS::Serverless::LayerVersion":
            resource["Properties"]["ContentUri"] = "s3://bucket/layer.zip"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return transform(template, {}, NoManagedPolicies())


NO_VALUE = {"Ref": "AWS::NoValue"}


def when(value) -> tuple[str | None, object]:
    """A value SAM wrapped in the condition of the function it belongs to,
    {"Fn::If": [condition, value, NoValue]} (nested any number of times), as (condition,
    value); (None, value) for a value under no condition."""
    condition = None
    while isinstance(value, dict) and set(value) == {"Fn::If"} and value["Fn::If"][2] == NO_VALUE:
        condition, value = value["Fn::If"][0], value["Fn::If"][1]
    return condition, value


def operations(translated: dict):
    """Every route of the HTTP APIs' OpenAPI bodies: (route key "ANY /path", its operation, the
    condition it exists under or None)."""
    for resource in translated["Resources"].values():
        if resource["Type"] != "AWS::ApiGatewayV2::Api":
            continue
        for path, methods in resource["Properties"]["Body"]["paths"].items():
            path_condition, methods = when(methods)
            for method, operation in methods.items():
                condition, operation = when(operation)
                verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
                yield f"{verb} {path}", operation, condition or path_condition


def route_conditions(translated: dict) -> dict[str, str | None]:
    """Route key -> the condition it exists under (None: always)."""
    return {route: condition for route, _, condition in operations(translated)}


def routes_of(translated: dict) -> dict[str, set[str]]:
    """Route keys ("ANY /path") per function."""
    routes: dict[str, set[str]] = {}
    for route, operation, _ in operations(translated):
        uri = when(operation["x-amazon-apigateway-integration"]["uri"])[1]["Fn::Sub"]
        function = re.search(r"\$\{(\w+)\.Arn\}", uri).group(1)
        routes.setdefault(function, set()).add(route)
    return routes


def route_authorizers(translated: dict) -> dict[str, set[str]]:
    """Route key -> the names of the authorizers in front of it (empty: none)."""
    return {
        route: {name for requirement in operation.get("security", []) for name in requirement}
        for route, operation, _ in operations(translated)
    }


def lambda_authorizers(translated: dict) -> dict[str, dict]:
    """Authorizer name -> its x-amazon-apigateway-authorizer settings, for Lambda authorizers."""
    found = {}
    for resource in translated["Resources"].values():
        if resource["Type"] != "AWS::ApiGatewayV2::Api":
            continue
        schemes = resource["Properties"]["Body"].get("components", {}).get("securitySchemes", {})
        for name, scheme in schemes.items():
            settings = scheme.get("x-amazon-apigateway-authorizer", {})
            if "authorizerUri" in settings:
                found[name] = settings
    return found


def authorizer_function(settings: dict) -> str | None:
    """The template function an authorizer invokes (its authorizerUri's Fn::GetAtt)."""
    text = json.dumps(settings.get("authorizerUri"))
    match = re.search(r'"Fn::GetAtt": \["(\w+)", "Arn"\]', text)
    return match.group(1) if match else None


def check_authorizers(translated: dict, routes: dict[str, set[str]]) -> tuple[dict[str, set[str]], list[str]]:
    """Returns authorizer function -> the routes behind it, and the errors found."""
    errors = []
    authorizers = lambda_authorizers(translated)
    guarded = route_authorizers(translated)
    behind: dict[str, set[str]] = {}
    for name, settings in sorted(authorizers.items()):
        expected = {
            "type": "request",
            "authorizerPayloadFormatVersion": "2.0",
            "enableSimpleResponses": True,
            "identitySource": AUTHORIZER_IDENTITY,
        }
        for key, value in expected.items():
            if settings.get(key) != value:
                errors.append(f"authorizer {name}: {key} is {settings.get(key)!r}, expected {value!r}")
        errors += check_cache_seconds(name, settings.get("authorizerResultTtlInSeconds", 0))
        function = authorizer_function(settings)
        if function is None or function not in translated["Resources"]:
            errors.append(f"authorizer {name}: its authorizerUri names no function of the template")
            continue
        if routes.get(function):
            errors.append(f"authorizer {name}: {function} also serves routes {sorted(routes[function])}")
        behind[function] = {route for route, names in guarded.items() if name in names}
    for function, own in sorted(routes.items()):
        for route in sorted(own):
            names = guarded.get(route, set())
            if function in CONTRACT_FUNCTIONS and names:
                errors.append(f"{function}: route {route!r} is behind {sorted(names)}, but answers DRF's own 401s")
            elif function not in CONTRACT_FUNCTIONS and not names & set(authorizers):
                errors.append(f"{function}: route {route!r} is behind no authorizer")
    return behind, errors


# API Gateway's cap on an HTTP API authorizer's cache is 3600 s; this project's is 300 s, since a
# cached allow outlives a logout.
MAX_CACHE_SECONDS = 300


def check_cache_seconds(name: str, value) -> list[str]:
    """The authorizer's cache reaches the OpenAPI body as a literal number (a Ref to a Number
    parameter would be a string there), directly or in every branch of Fn::If, within the cap."""
    if isinstance(value, dict) and set(value) == {"Fn::If"}:
        _, then, otherwise = value["Fn::If"]
        return check_cache_seconds(name, then) + check_cache_seconds(name, otherwise)
    if not isinstance(value, int) or isinstance(value, bool):
        return [f"authorizer {name}: authorizerResultTtlInSeconds is {value!r}, not a literal number"]
    if not 0 <= value <= MAX_CACHE_SECONDS:
        return [f"authorizer {name}: caches decisions {value} s, more than {MAX_CACHE_SECONDS}"]
    return []


def stage_route_settings(translated: dict) -> dict[str, str | None]:
    """Every key of every stage's RouteSettings, with the condition it is set under (None:
    always). RouteSettings may be {"Fn::If": [condition, settings, other settings]}."""
    found: dict[str, str | None] = {}
    for resource in translated["Resources"].values():
        if resource["Type"] != "AWS::ApiGatewayV2::Stage":
            continue
        settings = resource["Properties"].get("RouteSettings", {})
        if set(settings) == {"Fn::If"}:
            condition, then, otherwise = settings["Fn::If"]
            for key in then:
                found[key] = None if key in otherwise else condition
            for key in set(otherwise) - set(then):
                found[key] = f"not {condition}"
        else:
            found.update(dict.fromkeys(settings))
    return found


def grant_pairs(grants: dict) -> set[tuple[str, str]]:
    """The manifest's {"TokensTable": ["dynamodb:GetItem"]} as {("dynamodb:GetItem", "TokensTable")}."""
    return {(action, table) for table, actions in grants.items() for action in actions}


def manifest_routes() -> dict[str, set[str]]:
    """Function resource -> its route keys, as the manifest declares them."""
    return {f["resource"]: set(f["routes"]) for f in MANIFEST["functions"] if f["routes"]}


def check_routes(
    routes: dict[str, set[str]],
    conditions: dict[str, str | None],
    settings: dict[str, str | None],
    declared: dict[str, set[str]],
) -> list[str]:
    """Routes as the manifest declares them; RouteSettings keys only for routes that exist
    whenever the key is set (a key for a missing route fails the stage's deployment)."""
    errors = []
    every_route = set().union(*routes.values()) if routes else set()
    for route in sorted(every_route):
        if route.endswith("/"):
            errors.append(f"route {route!r} ends in '/': route {route.rstrip('/')!r} instead")
    for key, condition in sorted(settings.items()):
        if key not in every_route:
            errors.append(f"RouteSettings names {key!r}, which is not a route: {sorted(every_route)}")
        elif conditions.get(key) not in (None, condition):
            errors.append(
                f"RouteSettings names {key!r} {'always' if condition is None else f'under {condition}'}, "
                f"but the route exists only under {conditions[key]}"
            )
    deployed_when = {f["resource"]: f["condition"] for f in MANIFEST["functions"]}
    for function, function_routes in sorted(routes.items()):
        for route in sorted(function_routes):
            if conditions.get(route) != deployed_when.get(function):
                errors.append(
                    f"{route} exists under {conditions.get(route)!r}, but {function} is deployed "
                    f"under {deployed_when.get(function)!r}"
                )
    for function in sorted(set(routes) | set(declared)):
        if routes.get(function, set()) != declared.get(function, set()):
            errors.append(
                f"{function}: routed {sorted(routes.get(function, set()))}, "
                f"but the manifest declares {sorted(declared.get(function, set()))}"
            )
    return errors


def check_functions(template: dict, translated: dict, events: list[pathlib.Path]) -> tuple[dict, list[str]]:
    """Returns binary -> function name, and the errors found."""
    errors: list[str] = []
    binaries: dict[str, str] = {}
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        metadata = resource.get("Metadata", {})
        if metadata.get("BuildMethod") != "rust-cargolambda":
            errors.append(f"{name}: Metadata.BuildMethod is not rust-cargolambda")
        binary = metadata.get("BuildProperties", {}).get("Binary")
        if not binary:
            errors.append(f"{name}: no Metadata.BuildProperties.Binary")
            continue
        binaries[binary] = name
        declared = FUNCTIONS.get(binary)
        if declared is None:
            errors.append(f"{name}: binary {binary!r} is not a function of the manifest")
            continue
        if name != declared["resource"]:
            errors.append(f"{name}: a function with binary {binary!r} is named {declared['resource']}")
        if resource.get("Condition") != declared["condition"]:
            errors.append(
                f"{name}: deployed under the condition {resource.get('Condition')!r}, "
                f"but the manifest says {declared['condition']!r}"
            )
        if not (ROOT / "functions" / "src" / "bin" / f"{binary}.rs").is_file():
            errors.append(f"{name}: binary {binary!r} has no functions/src/bin/{binary}.rs")
        if not any(event.stem.split("-")[0] == binary for event in events):
            errors.append(f"{name}: no events/{binary}-*.json")
        errors += check_role(name, declared, translated)
    for binary in sorted(set(FUNCTIONS) - set(binaries)):
        errors.append(f"the manifest's function {binary!r} is not in template.yaml")
    for source in sorted((ROOT / "functions" / "src" / "bin").glob("*.rs")):
        if source.stem not in FUNCTIONS:
            errors.append(f"functions/src/bin/{source.name} is not a function of the manifest")
    return binaries, errors


def check_role(name: str, declared: dict, translated: dict) -> list[str]:
    """The function's translated IAM role: basic execution plus exactly the manifest's grants."""
    binary = declared["binary"]
    role_ref = translated["Resources"][name]["Properties"]["Role"]
    role = translated["Resources"][role_ref["Fn::GetAtt"][0]]["Properties"]
    errors = []
    managed = [arn.get("Fn::Sub", arn) if isinstance(arn, dict) else arn for arn in role.get("ManagedPolicyArns", [])]
    if managed != [BASIC_EXECUTION]:
        errors.append(f"{name}: managed policies {managed}, expected only AWSLambdaBasicExecutionRole")
    granted = set()
    conditional = {condition: set() for condition in CONDITIONAL_GRANTS}
    for policy in role.get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:
                errors += check_conditional_statement(name, statement["Fn::If"], conditional)
                continue
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            if statement.get("Effect") != "Allow":
                continue
            if resources == [{"Ref": SEAL_SECRET}]:
                granted |= {(action, SEAL_SECRET) for action in actions}
                continue
            if resources == SES_RESOURCES:
                if statement.get("Condition") != SES_CONDITION or actions != ["ses:SendEmail"]:
                    errors.append(f"{name}: ses:SendEmail must be granted on condition that ses:FromAddress is EmailFrom")
                granted.add(("ses:SendEmail", SEND_EMAIL))
                continue
            if "Condition" in statement:
                errors.append(f"{name}: a statement on {resources!r} has a condition")
            for resource in resources:
                target = resource.get("Fn::GetAtt", [None])[0] if isinstance(resource, dict) else None
                if resource == EMAIL_INDEX_ARN:
                    target = EMAIL_INDEX
                if target not in TABLES | {QUEUE, EMAIL_INDEX}:
                    errors.append(f"{name}: resource {resource!r} is not one of the tables, the index or the queue")
                for action in actions:
                    if not action.startswith(SERVICES) or "*" in action:
                        errors.append(f"{name}: action {action!r} is not a named DynamoDB, SQS or SES action")
                    granted.add((action, target))
    wanted = grant_pairs(declared["grants"]) | ({SECRET_GRANT} if declared["reads_seal_secret"] else set())
    if granted != wanted:
        errors.append(f"{name}: granted {sorted(granted)}, but the manifest grants {binary} {sorted(wanted)}")
    for condition, key in CONDITIONAL_GRANTS.items():
        allowed = grant_pairs(declared[key])
        if conditional[condition] != allowed:
            errors.append(
                f"{name}: under {condition} the manifest grants {sorted(allowed)}, "
                f"but the template {sorted(conditional[condition])}"
            )
    return errors


def check_conditional_statement(name: str, branches: list, conditional: dict[str, set]) -> list[str]:
    """A statement granted only under a condition: [condition, statement, AWS::NoValue], its
    grants added to `conditional[condition]` (the caller compares them with the manifest's)."""
    condition, granted, otherwise = branches
    if otherwise != {"Ref": "AWS::NoValue"}:
        return [f"{name}: a conditional statement must grant nothing when {condition} is false"]
    if condition not in conditional:
        return [f"{name}: statement granted under an unknown condition {condition!r}"]
    if granted.get("Effect") != "Allow" or "Condition" in granted:
        return [f"{name}: a conditional statement must allow, on no condition of its own"]
    actions = granted["Action"] if isinstance(granted["Action"], list) else [granted["Action"]]
    resources = granted["Resource"] if isinstance(granted["Resource"], list) else [granted["Resource"]]
    conditional[condition] |= {
        (action, resource.get("Fn::GetAtt", [None])[0] if isinstance(resource, dict) else None)
        for action in actions
        for resource in resources
    }
    return []


def check_events(
    events: list[pathlib.Path],
    binaries: dict[str, str],
    routes: dict[str, set[str]],
    authorized: dict[str, set[str]],
) -> list[str]:
    """`authorized`: authorizer function -> the routes behind it (from check_authorizers)."""
    errors = []
    slashed = set()
    guarded = set().union(*authorized.values()) if authorized else set()
    for event_file in events:
        binary = event_file.stem.split("-")[0]
        if binary not in binaries:
            errors.append(f"events/{event_file.name}: no function {binary!r} in template.yaml")
            continue
        function = binaries[binary]
        event = json.loads(event_file.read_text())
        if FUNCTIONS[binary]["kind"] == "mailer":
            errors += check_queue_event(event_file.name, event)
            slashed.add(binary)
            continue
        route = event.get("routeKey", "")
        if function in authorized:
            own = authorized[function]
            errors += check_authorizer_event(event_file.name, event, route)
        else:
            own = routes.get(function, set())
            errors += check_authorizer_context(event_file.name, event, route, guarded)
        if route not in own:
            errors.append(f"events/{event_file.name}: routeKey {route!r} is not one of {function}'s routes {sorted(own)}")
        if event.get("requestContext", {}).get("routeKey") != route:
            errors.append(f"events/{event_file.name}: requestContext.routeKey differs from routeKey")
        method, _, path = route.partition(" ")
        raw_path = event.get("rawPath", "")
        if not reaches(raw_path, path):
            errors.append(f"events/{event_file.name}: rawPath {raw_path!r} does not reach route {route!r}")
        elif raw_path.endswith("/"):
            slashed.add(binary)
        http = event.get("requestContext", {}).get("http", {})
        if http.get("path") != raw_path:
            errors.append(f"events/{event_file.name}: requestContext.http.path differs from rawPath")
        if method != "ANY" and http.get("method") != method:
            errors.append(f"events/{event_file.name}: method {http.get('method')} does not match its route")
    for binary in sorted(set(binaries) - slashed):
        errors.append(f"{binaries[binary]}: no event with a trailing slash in its rawPath, as DRF clients send")
    return errors


def check_queue_event(name: str, event: dict) -> list[str]:
    """What SQS delivers the mailer: records from the queue, each body a mail request."""
    records = event.get("Records")
    if not records:
        return [f"events/{name}: no Records, as an SQS event has"]
    errors = []
    for record in records:
        if record.get("eventSource") != "aws:sqs" or not record.get("messageId"):
            errors.append(f"events/{name}: a record without eventSource aws:sqs and a messageId")
        try:
            body = json.loads(record.get("body", ""))
        except json.JSONDecodeError:
            errors.append(f"events/{name}: a record whose body is not JSON")
            continue
        if body.get("kind") != "password_reset" or "email" not in body:
            errors.append(f"events/{name}: a record whose body is not a mail request")
    return errors


def reaches(raw_path: str, route_path: str) -> bool:
    """Whether API Gateway sends a request for `raw_path` (with or without its trailing slash)
    to the route `route_path`, whose `{name}` segments are one non-empty segment each."""
    requested = raw_path.removesuffix("/").split("/")
    pattern = route_path.split("/")
    return len(requested) == len(pattern) and all(
        part == wanted or (wanted.startswith("{") and wanted.endswith("}") and part != "")
        for part, wanted in zip(requested, pattern)
    )


def check_authorizer_event(name: str, event: dict, route: str) -> list[str]:
    """What API Gateway sends an authorizer (payload 2.0, REQUEST) for a request to `route`."""
    errors = []
    if event.get("version") != "2.0" or event.get("type") != "REQUEST":
        errors.append(f"events/{name}: not a payload 2.0 REQUEST authorizer event (version, type)")
    header = event.get("headers", {}).get("authorization")
    identity = event.get("identitySource")
    if identity != ([header] if header is not None else None):
        errors.append(f"events/{name}: identitySource {identity!r} is not the Authorization header's value")
    method, _, path = route.partition(" ")
    method = event.get("requestContext", {}).get("http", {}).get("method") if method == "ANY" else method
    if not str(event.get("routeArn", "")).endswith(f"/{method}{path}"):
        errors.append(f"events/{name}: routeArn {event.get('routeArn')!r} does not end in /{method}{path}")
    return errors


def check_authorizer_context(name: str, event: dict, route: str, guarded: set[str]) -> list[str]:
    """An event with an authorizer context must be for a route behind an authorizer, and carry
    only what the authorizer gives."""
    context = event.get("requestContext", {}).get("authorizer", {}).get("lambda")
    if context is None:
        return []
    errors = []
    if route not in guarded:
        errors.append(f"events/{name}: carries an authorizer context, but {route!r} is behind no authorizer")
    if set(context) - AUTHORIZER_CONTEXT:
        errors.append(f"events/{name}: authorizer context {sorted(context)}, but the authorizer gives only {sorted(AUTHORIZER_CONTEXT)}")
    return errors


AUDIT_SOURCE = ROOT / "shared" / "src" / "audit.rs"
METRIC_PATTERN = re.compile(r'^\{ \$\.fields\.event = "(\w+)" \}$')


def check_logs(template: dict) -> list[str]:
    """Each function's own log group with the retention parameter; metric filters on real events."""
    errors = []
    resources = template["Resources"]
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        group = resource["Properties"].get("LoggingConfig", {}).get("LogGroup", {})
        group_name = group.get("Ref") if isinstance(group, dict) else None
        declared = resources.get(group_name or "", {})
        if declared.get("Type") != "AWS::Logs::LogGroup":
            errors.append(f"{name}: LoggingConfig.LogGroup is not a log group of the template")
        elif declared["Properties"].get("RetentionInDays") != {"Ref": "LogRetentionDays"}:
            errors.append(f"{group_name}: RetentionInDays is not the LogRetentionDays parameter")
    emitted = set(re.findall(r'event = "(\w+)"', AUDIT_SOURCE.read_text()))
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Logs::MetricFilter":
            continue
        pattern = resource["Properties"]["FilterPattern"]
        match = METRIC_PATTERN.match(pattern)
        if not match:
            errors.append(f"{name}: pattern {pattern!r} is not {{ $.fields.event = \"...\" }}")
        elif match.group(1) not in emitted:
            errors.append(f"{name}: no audit event {match.group(1)!r} in shared/src/audit.rs ({sorted(emitted)})")
    for name, resource in resources.items():
        if resource["Type"] != "AWS::CloudWatch::InsightRule":
            continue
        body = resource["Properties"]["RuleBody"]
        rule = json.loads(body.get("Fn::Sub", body) if isinstance(body, dict) else body)
        if rule["Contribution"]["Keys"] != ["$.fields.username"]:
            errors.append(f"{name}: contributors are {rule['Contribution']['Keys']}, not the events' usernames")
        for event_filter in rule["Contribution"].get("Filters", []):
            if event_filter.get("Match") == "$.fields.event":
                for event in event_filter.get("In", []):
                    if event not in emitted:
                        errors.append(f"{name}: no audit event {event!r} in shared/src/audit.rs")
    return errors


def event_files() -> list[pathlib.Path]:
    """The events: every JSON file in events/ but the --env-vars file."""
    return sorted(path for path in (ROOT / "events").glob("*.json") if path != ENV_VARS)


def check_env_vars(template: dict) -> list[str]:
    """events/env.json may only set variables the functions declare: SAM drops the others."""
    if not ENV_VARS.is_file():
        return [f"{ENV_VARS.relative_to(ROOT)} is missing (sam local invoke --env-vars)"]
    settings = json.loads(ENV_VARS.read_text())
    def variables_of(resource: dict) -> set:
        return set(resource.get("Properties", {}).get("Environment", {}).get("Variables", {}))

    functions = {name: resource for name, resource in template["Resources"].items()
                 if resource["Type"] == "AWS::Serverless::Function"}
    global_vars = set(template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))
    errors = []
    for scope, variables in settings.items():
        if scope != "Parameters" and scope not in functions:
            errors.append(f"events/env.json: {scope!r} is neither Parameters nor a function")
        # Parameters reach every function that declares the variable; a function's own scope,
        # that function.
        scoped = [functions[scope]] if scope in functions else list(functions.values())
        declared = global_vars.union(*(variables_of(function) for function in scoped))
        for name in sorted(set(variables) - declared):
            errors.append(f"events/env.json: {name} is not declared in the template, so SAM would ignore it")
    return errors


def check_parameters(template: dict) -> list[str]:
    """The template's parameters against the manifest's settings, and every function handed the
    settings the manifest says it reads."""
    errors = []
    parameters = template.get("Parameters", {})
    settings = {s["parameter"]: s for s in MANIFEST["settings"] if s["parameter"]}
    for name in sorted(set(parameters) - set(settings)):
        errors.append(f"parameter {name} is not a setting of the manifest (shared/src/manifest/settings.rs)")
    for name in sorted(set(settings) - set(parameters)):
        errors.append(f"the manifest's parameter {name} ({settings[name]['var']}) is not in template.yaml")
    for name, setting in sorted(settings.items()):
        parameter = parameters.get(name)
        if parameter is None:
            continue
        if str(parameter.get("Default")) != setting["default"]:
            errors.append(f"parameter {name}: Default {parameter.get('Default')!r}, the manifest's {setting['default']!r}")
        allowed = setting["allowed"]
        if isinstance(allowed, dict) and "one_of" in allowed:
            found = [str(value) for value in parameter.get("AllowedValues", [])]
            if found != allowed["one_of"]:
                errors.append(f"parameter {name}: AllowedValues {found}, the manifest's {allowed['one_of']}")
        elif isinstance(allowed, dict):
            bounds = (parameter.get("MinValue"), parameter.get("MaxValue"))
            if bounds != (allowed["min"], allowed["max"]):
                errors.append(f"parameter {name}: MinValue/MaxValue {bounds}, the manifest's {(allowed['min'], allowed['max'])}")
    global_env = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    for binary, declared in sorted(FUNCTIONS.items()):
        resource = template["Resources"].get(declared["resource"], {})
        env = {**global_env, **resource.get("Properties", {}).get("Environment", {}).get("Variables", {})}
        for setting in MANIFEST["settings"]:
            if binary not in setting["functions"] or setting["var"].startswith("AWS_REGION"):
                continue  # AWS_REGION: Lambda sets it
            if setting["var"] not in env:
                errors.append(f"{declared['resource']}: reads {setting['var']}, which the template does not set")
            elif setting["parameter"] and env[setting["var"]] != {"Ref": setting["parameter"]}:
                errors.append(f"{declared['resource']}: {setting['var']} is not !Ref {setting['parameter']}")
    return errors


def main() -> int:
    template = yaml_parse((ROOT / "template.yaml").read_text())
    try:
        translated = translate(template)
    except Exception as error:  # the translator's own errors name the resource at fault
        print(f"check_template: SAM cannot translate template.yaml: {error}")
        return 1
    events = event_files()
    routes = routes_of(translated)
    binaries, errors = check_functions(template, translated, events)
    errors += check_routes(routes, route_conditions(translated), stage_route_settings(translated), manifest_routes())
    errors += check_parameters(template)
    authorized, authorizer_errors = check_authorizers(translated, routes)
    errors += authorizer_errors
    errors += check_events(events, binaries, routes, authorized)
    errors += check_env_vars(template)
    errors += check_logs(template)

    for error in errors:
        print(f"check_template: {error}")
    if errors:
        return 1
    for function in sorted(routes):
        print(f"check_template: {function}: {', '.join(sorted(routes[function]))}")
    for function, behind in sorted(authorized.items()):
        print(f"check_template: {function} authorizes: {', '.join(sorted(behind))}")
    print(f"check_template: RouteSettings: {', '.join(sorted(stage_route_settings(translated)))}")
    print(f"check_template: {len(binaries)} functions, {len(events)} events: consistent after SAM's translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
