"""Resolves a CloudFormation template's intrinsic functions offline, as CloudFormation would for
one stack: parameters, pseudo parameters, conditions, and the physical names and ARNs it gives
resources it names itself (STACK-LogicalId-SUFFIX).

Only what this project's templates use: Ref, Fn::GetAtt (Arn), Fn::Sub, Fn::Join, Fn::If,
Fn::Select, Fn::Equals / Fn::Not / Fn::And / Fn::Or in conditions, and AWS::NoValue. Anything
else is an error, not a guess.
"""

from __future__ import annotations

import dataclasses
import re

NO_VALUE = object()
# CloudFormation appends a random suffix of 12 or 13 characters to the names it makes.
SUFFIX = "A1B2C3D4E5F6"
# What Secrets Manager appends to a secret's name in its ARN (six random characters).
SECRET_SUFFIX = "AbCdEf"


@dataclasses.dataclass
class Stack:
    """One stack of a template: where it runs and what it was given."""

    template: dict
    name: str
    parameters: dict = dataclasses.field(default_factory=dict)
    account: str = "111122223333"
    region: str = "us-east-1"
    partition: str = "aws"

    def __post_init__(self):
        values = {}
        for name, declared in self.template.get("Parameters", {}).items():
            value = self.parameters.get(name, declared.get("Default"))
            if value is None:
                raise ValueError(f"parameter {name} has no value and no default")
            if declared.get("Type") == "CommaDelimitedList" and isinstance(value, str):
                value = value.split(",")
            values[name] = value
        self.values = values
        self._conditions = {}

    # Names and ARNs --------------------------------------------------------------------------

    def physical_name(self, logical_id: str) -> str:
        """The name CloudFormation makes for a resource that sets none."""
        resource = self.template["Resources"][logical_id]
        kind = resource["Type"]
        properties = resource.get("Properties", {})
        explicit = {"AWS::IAM::Role": "RoleName", "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
                    "AWS::DynamoDB::Table": "TableName", "AWS::Lambda::Function": "FunctionName",
                    "AWS::Logs::LogGroup": "LogGroupName", "AWS::S3::Bucket": "BucketName",
                    "AWS::CloudWatch::InsightRule": "RuleName",
                    "AWS::SecretsManager::Secret": "Name", "AWS::SQS::Queue": "QueueName",
                    "AWS::SES::ConfigurationSet": "Name",
                    "AWS::Lambda::LayerVersion": "LayerName"}.get(kind)
        if explicit and explicit in properties:
            return self.resolve(properties[explicit])
        name = f"{self.name}-{logical_id}-{SUFFIX}"
        return name.lower() if kind == "AWS::S3::Bucket" else name

    def role_name_with_path(self, logical_id: str) -> str:
        path = self.resolve(self.template["Resources"][logical_id].get("Properties", {}).get("Path", "/"))
        return path.lstrip("/") + self.physical_name(logical_id)

    def ref(self, logical_id: str) -> str:
        kind = self.template["Resources"][logical_id]["Type"]
        if kind == "AWS::IAM::ManagedPolicy":
            return self.arn(logical_id)
        if kind == "AWS::IAM::OIDCProvider":
            return f"arn:{self.partition}:iam::{self.account}:oidc-provider/token.actions.githubusercontent.com"
        if kind == "AWS::ApiGatewayV2::Api":
            return "a1b2c3d4e5"
        if kind == "AWS::SecretsManager::Secret":
            return self.arn(logical_id)
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{self.physical_name(logical_id)}"
        if kind == "AWS::Lambda::LayerVersion":
            return self.arn(logical_id)
        if kind == "AWS::Lambda::EventSourceMapping":
            return "a1b2c3d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
        return self.physical_name(logical_id)

    def arn(self, logical_id: str) -> str:
        kind = self.template["Resources"][logical_id]["Type"]
        name = self.physical_name(logical_id)
        p, r, a = self.partition, self.region, self.account
        arns = {
            "AWS::DynamoDB::Table": f"arn:{p}:dynamodb:{r}:{a}:table/{name}",
            "AWS::Lambda::Function": f"arn:{p}:lambda:{r}:{a}:function:{name}",
            "AWS::Logs::LogGroup": f"arn:{p}:logs:{r}:{a}:log-group:{name}:*",
            "AWS::S3::Bucket": f"arn:{p}:s3:::{name}",
            "AWS::CloudWatch::Alarm": f"arn:{p}:cloudwatch:{r}:{a}:alarm:{name}",
            "AWS::IAM::ManagedPolicy": f"arn:{p}:iam::{a}:policy/{name}",
            # Secrets Manager appends six random characters to a secret's name in its ARN.
            "AWS::SecretsManager::Secret": f"arn:{p}:secretsmanager:{r}:{a}:secret:{name}-{SECRET_SUFFIX}",
            "AWS::SQS::Queue": f"arn:{p}:sqs:{r}:{a}:{name}",
            "AWS::SES::ConfigurationSet": f"arn:{p}:ses:{r}:{a}:configuration-set/{name}",
            # A layer's Ref is the ARN of the version the stack published.
            "AWS::Lambda::LayerVersion": f"arn:{p}:lambda:{r}:{a}:layer:{name}:1",
        }
        if kind == "AWS::IAM::Role":
            return f"arn:{p}:iam::{a}:role/{self.role_name_with_path(logical_id)}"
        if kind not in arns:
            raise ValueError(f"no ARN known for {kind} ({logical_id})")
        return arns[kind]

    def pseudo(self, name: str):
        return {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::StackName": self.name,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": NO_VALUE,
        }.get(name)

    # Intrinsics ------------------------------------------------------------------------------

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = self.truth(self.template["Conditions"][name])
        return self._conditions[name]

    def truth(self, expression) -> bool:
        [(function, arguments)] = expression.items()
        if function == "Fn::Equals":
            left, right = (self.resolve(a) for a in arguments)
            return str(left) == str(right)
        if function == "Fn::Not":
            return not self.truth(arguments[0])
        if function == "Fn::And":
            return all(self.truth(a) for a in arguments)
        if function == "Fn::Or":
            return any(self.truth(a) for a in arguments)
        if function == "Condition":
            return self.condition(arguments)
        raise ValueError(f"unsupported condition function {function}")

    def resolve(self, value):
        """`value` with every intrinsic function replaced by what CloudFormation would put there;
        AWS::NoValue removes a key or list item."""
        if isinstance(value, list):
            return [v for v in (self.resolve(item) for item in value) if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            [(key, argument)] = value.items()
            if key == "Ref":
                return self._ref(argument)
            if key == "Fn::GetAtt":
                logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                if attribute == "Arn":
                    return self.arn(logical_id)
                if attribute == "RuleName":
                    return self.physical_name(logical_id)
                raise ValueError(f"unsupported attribute {logical_id}.{attribute}")
            if key == "Fn::Sub":
                return self._sub(argument)
            if key == "Fn::Join":
                separator, items = argument
                return separator.join(str(i) for i in self.resolve(items))
            if key == "Fn::If":
                name, then, otherwise = argument
                return self.resolve(then if self.condition(name) else otherwise)
            if key == "Fn::Select":
                index, items = argument
                return self.resolve(items)[int(self.resolve(index))]
            if key.startswith("Fn::") or key == "Condition":
                raise ValueError(f"unsupported intrinsic function {key}")
        return {k: v for k, v in ((k, self.resolve(v)) for k, v in value.items()) if v is not NO_VALUE}

    def _ref(self, name: str):
        if name.startswith("AWS::"):
            return self.pseudo(name)
        if name in self.values:
            return self.values[name]
        if name in self.template.get("Resources", {}):
            return self.ref(name)
        raise ValueError(f"Ref to unknown {name}")

    def _sub(self, argument) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        variables = {k: self.resolve(v) for k, v in variables.items()}

        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name:
                return str(self.resolve({"Fn::GetAtt": name.split(".", 1)}))
            return str(self._ref(name))

        return re.sub(r"\$\{([^}!]+)\}", replace, text)
