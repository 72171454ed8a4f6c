"""IAM policy evaluation, offline: does a policy allow one request (an action on a resource,
with its request context)?

Implements the parts of IAM's evaluation logic that identity policies use
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):

- an explicit Deny in any statement wins over every Allow; with neither, the request is denied
  (implicitly);
- Action / NotAction, matched case-insensitively with the wildcards * and ?;
- Resource / NotResource, matched case-sensitively with * and ? (a * may span ":" and "/");
- Condition blocks: every operator in a block must hold (AND), every key in an operator must
  hold (AND), any of a key's values may match (OR); the String*, Arn*, Numeric*, Bool and
  Null operators, the ...IfExists suffix and the ForAllValues: / ForAnyValue: set prefixes,
  with IAM's rules for a key the request does not carry: a positive operator is false, a
  negated one (StringNotEquals, ArnNotLike, ...) is true, ...IfExists is true, ForAllValues is
  true, ForAnyValue is false, and Null tests exactly that.

Used by scripts/check_deploy_role.py; proven by scripts/test_iam_policy.py.
"""

from __future__ import annotations

import dataclasses
import functools
import re

ALLOW = "allow"
EXPLICIT_DENY = "explicit deny"
IMPLICIT_DENY = "implicit deny"


@dataclasses.dataclass(frozen=True)
class Request:
    """One authorization request: an action on a resource, with the context keys it carries.
    A context value is a string or a list of strings (a multivalued key)."""

    action: str
    resource: str
    context: dict = dataclasses.field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.action, self.resource, tuple(sorted(self.context))))


@dataclasses.dataclass
class Decision:
    """The outcome, and the statements (by Sid, or index) that decided it."""

    outcome: str
    by: list[str]

    @property
    def allowed(self) -> bool:
        return self.outcome == ALLOW


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def wildcard(pattern: str, value: str, *, ignore_case: bool) -> bool:
    """IAM's wildcards: * any run of characters (":" and "/" included), ? one character."""
    return compiled(pattern, ignore_case).fullmatch(value) is not None


@functools.lru_cache(maxsize=None)
def compiled(pattern: str, ignore_case: bool) -> re.Pattern:
    """A policy's pattern as a regular expression, compiled once (a check evaluates each
    pattern against every one of about a thousand requests)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(regex, flags | re.DOTALL)


def matches_action(patterns, action: str) -> bool:
    return any(wildcard(p, action, ignore_case=True) for p in as_list(patterns))


def matches_resource(patterns, resource: str) -> bool:
    return any(wildcard(p, resource, ignore_case=False) for p in as_list(patterns))


def statement_applies(statement: dict, request: Request) -> bool:
    if "Action" in statement:
        if not matches_action(statement["Action"], request.action):
            return False
    elif "NotAction" in statement:
        if matches_action(statement["NotAction"], request.action):
            return False
    else:
        raise ValueError(f"statement without Action or NotAction: {statement}")
    if "Resource" in statement:
        if not matches_resource(statement["Resource"], request.resource):
            return False
    elif "NotResource" in statement:
        if matches_resource(statement["NotResource"], request.resource):
            return False
    else:
        raise ValueError(f"statement without Resource or NotResource: {statement}")
    return conditions_hold(statement.get("Condition", {}), request.context)


def evaluate(statements: list[dict], request: Request) -> Decision:
    """IAM's decision for `request` under the identity policy `statements`."""
    allowed_by, denied_by = [], []
    for index, statement in enumerate(statements):
        if statement_applies(statement, request):
            label = statement.get("Sid", f"#{index}")
            (denied_by if statement["Effect"] == "Deny" else allowed_by).append(label)
    if denied_by:
        return Decision(EXPLICIT_DENY, denied_by)
    if allowed_by:
        return Decision(ALLOW, allowed_by)
    return Decision(IMPLICIT_DENY, [])


# Condition operators -------------------------------------------------------------------------


def _string_equals(policy: str, value: str) -> bool:
    return policy == value


def _string_equals_ignore_case(policy: str, value: str) -> bool:
    return policy.lower() == value.lower()


def _string_like(policy: str, value: str) -> bool:
    return wildcard(policy, value, ignore_case=False)


def _arn_like(policy: str, value: str) -> bool:
    # ARNs compare field by field (6 fields, split on the first five colons); * spans within one.
    policy_fields, value_fields = policy.split(":", 5), value.split(":", 5)
    if len(policy_fields) != 6 or len(value_fields) != 6:
        return False
    return all(wildcard(p, v, ignore_case=False) for p, v in zip(policy_fields, value_fields))


def _numeric(compare):
    def operator(policy: str, value: str) -> bool:
        try:
            return compare(float(value), float(policy))
        except ValueError:
            return False

    return operator


def _bool(policy, value: str) -> bool:
    return str(policy).lower() == str(value).lower()


# operator -> (value matcher, negated)
OPERATORS = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "ArnEquals": (_arn_like, False),
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
    "NumericEquals": (_numeric(lambda v, p: v == p), False),
    "NumericNotEquals": (_numeric(lambda v, p: v == p), True),
    "NumericLessThan": (_numeric(lambda v, p: v < p), False),
    "NumericLessThanEquals": (_numeric(lambda v, p: v <= p), False),
    "NumericGreaterThan": (_numeric(lambda v, p: v > p), False),
    "NumericGreaterThanEquals": (_numeric(lambda v, p: v >= p), False),
    "Bool": (_bool, False),
}


def conditions_hold(block: dict, context: dict) -> bool:
    return all(
        condition_holds(operator, key, policy_values, context)
        for operator, keys in block.items()
        for key, policy_values in keys.items()
    )


def condition_holds(operator: str, key: str, policy_values, context: dict) -> bool:
    # Context keys are case-insensitive.
    present = {name.lower(): value for name, value in context.items()}
    value = present.get(key.lower())
    policy_values = [str(v) if not isinstance(v, bool) else str(v).lower() for v in as_list(policy_values)]

    if operator == "Null":
        # "true": the key must be absent; "false": present.
        return all((value is None) == (p.lower() == "true") for p in policy_values)

    set_operator = None
    for prefix in ("ForAllValues:", "ForAnyValue:"):
        if operator.startswith(prefix):
            set_operator, operator = prefix[:-1], operator[len(prefix) :]
    if_exists = operator.endswith("IfExists")
    if if_exists:
        operator = operator[: -len("IfExists")]
    if operator not in OPERATORS:
        raise ValueError(f"unsupported condition operator {operator!r}")
    match, negated = OPERATORS[operator]

    if value is None:
        if if_exists or set_operator == "ForAllValues":
            return True
        if set_operator == "ForAnyValue":
            return False
        return negated

    def one(v: str) -> bool:
        hit = any(match(p, v) for p in policy_values)
        return not hit if negated else hit

    values = as_list(value)
    if set_operator == "ForAllValues":
        return all(one(v) for v in values)
    if set_operator == "ForAnyValue":
        return any(one(v) for v in values)
    if len(values) != 1:
        raise ValueError(f"{key} is multivalued: use ForAllValues: or ForAnyValue:")
    return one(values[0])
