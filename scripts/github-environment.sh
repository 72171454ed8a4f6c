#!/usr/bin/env bash
# Creates, or checks and corrects, the GitHub side of deploys from GitHub Actions, with GitHub's
# CLI (gh api): the environment "production" that the deploy job runs in and that the AWS
# deploy role trusts, with a deployment-branch rule that admits main and nothing else, and
# (optionally) required reviewers; and, with --stack, the repository variables the deploy
# workflow reads, from the outputs of the stack of deploy/github-oidc-role.yaml.
#
#   bash scripts/github-environment.sh OWNER/REPO [--reviewer LOGIN]... [--stack NAME --region REGION]
#
# Safe to run again: it changes only what differs, and then reads everything back and fails if
# the environment is not as it should be. Without the branch rule, GitHub creates an
# environment the first time a workflow names it, with no rules: a workflow on any branch could
# then name "production" and obtain the deploy role.
#
# Needs gh, logged in as a repository administrator (gh auth login), and python3; --stack also
# needs the AWS CLI with credentials for the account. GH names the gh executable (default gh).
set -euo pipefail

gh=${GH:-gh}
environment=production
branch=main
repository=
stack=
region=
reviewers=()

usage() {
  echo "usage: bash scripts/github-environment.sh OWNER/REPO [--reviewer LOGIN]... [--stack NAME --region REGION]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    --reviewer) [ $# -ge 2 ] || usage; reviewers+=("$2"); shift 2 ;;
    --stack) [ $# -ge 2 ] || usage; stack=$2; shift 2 ;;
    --region) [ $# -ge 2 ] || usage; region=$2; shift 2 ;;
    -h | --help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "github-environment: unknown option $1" >&2; usage ;;
    *) [ -z "$repository" ] || usage; repository=$1; shift ;;
  esac
done
[[ $repository =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || usage
if [ -n "$stack" ] && [ -z "$region" ]; then
  echo "github-environment: --stack needs --region" >&2
  exit 2
fi
command -v "$gh" >/dev/null || { echo "github-environment: no $gh: install GitHub's CLI (https://cli.github.com)" >&2; exit 1; }

api=repos/$repository/environments/$environment
# json EXPRESSION: evaluates a Python expression over the JSON on stdin (bound to `d`).
json() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

# 1. The environment, with custom branch policies and the reviewers asked for. PUT replaces the
#    protection rules as a whole, so the reviewers already there are kept unless named anew.
reviewer_ids=()
for login in "${reviewers[@]}"; do
  reviewer_ids+=("$("$gh" api "users/$login" | json 'd["id"]')")
done
if [ ${#reviewer_ids[@]} -eq 0 ] && current=$("$gh" api "$api" 2>/dev/null); then
  mapfile -t reviewer_ids < <(printf '%s' "$current" | json '"\n".join(str(r["reviewer"]["id"]) for rule in d.get("protection_rules", []) if rule.get("type") == "required_reviewers" for r in rule.get("reviewers", []) if r.get("type") == "User")' | sed '/^$/d')
fi
body=$(python3 -c '
import json, sys
ids = [int(i) for i in sys.argv[1:]]
print(json.dumps({
    "deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True},
    "reviewers": [{"type": "User", "id": i} for i in ids] or None,
}))' "${reviewer_ids[@]}")
printf '%s' "$body" | "$gh" api --method PUT "$api" --input - >/dev/null
echo "github-environment: $repository: environment $environment, deployments from custom branches"

# 2. Exactly one deployment-branch rule: main.
policies=$("$gh" api "$api/deployment-branch-policies")
has_main=$(printf '%s' "$policies" | json "any(p['name'] == '$branch' and p.get('type', 'branch') == 'branch' for p in d['branch_policies'])")
if [ "$has_main" != True ]; then
  printf '{"name": "%s", "type": "branch"}' "$branch" | "$gh" api --method POST "$api/deployment-branch-policies" --input - >/dev/null
  echo "github-environment: added the branch rule $branch"
fi
for id in $(printf '%s' "$policies" | json "' '.join(str(p['id']) for p in d['branch_policies'] if not (p['name'] == '$branch' and p.get('type', 'branch') == 'branch'))"); do
  "$gh" api --method DELETE "$api/deployment-branch-policies/$id" >/dev/null
  echo "github-environment: removed a branch rule other than $branch (id $id)"
done

# 3. The variables of the deploy workflow, from the setup stack's outputs.
if [ -n "$stack" ]; then
  command -v aws >/dev/null || { echo "github-environment: --stack needs the AWS CLI" >&2; exit 1; }
  outputs=$(aws cloudformation describe-stacks --region "$region" --stack-name "$stack" --query "Stacks[0].Outputs" --output json)
  output() { printf '%s' "$outputs" | json "next(o['OutputValue'] for o in d if o['OutputKey'] == '$1')"; }
  "$gh" variable set AWS_REGION --repo "$repository" --body "$region"
  "$gh" variable set AWS_DEPLOY_ROLE_ARN --repo "$repository" --body "$(output DeployRoleArn)"
  "$gh" variable set AWS_ARTIFACTS_BUCKET --repo "$repository" --body "$(output ArtifactsBucketName)"
  "$gh" variable set PERMISSIONS_BOUNDARY_ARN --repo "$repository" --body "$(output PermissionsBoundaryArn)"
  echo "github-environment: set AWS_REGION, AWS_DEPLOY_ROLE_ARN, AWS_ARTIFACTS_BUCKET, PERMISSIONS_BOUNDARY_ARN from $stack"
fi

# 4. Read it all back.
state=$("$gh" api "$api")
rules=$("$gh" api "$api/deployment-branch-policies")
verdict=$(python3 -c '
import json, sys
environment, rules, branch = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
policy = environment.get("deployment_branch_policy") or {}
names = sorted((p["name"], p.get("type", "branch")) for p in rules["branch_policies"])
if not policy.get("custom_branch_policies") or policy.get("protected_branches"):
    print("deployments are not limited to custom branches")
elif names != [(branch, "branch")]:
    print(f"branch rules are {names}, not only {branch}")
else:
    reviewers = [r["reviewer"].get("login", r["reviewer"].get("id")) for rule in environment.get("protection_rules", [])
                 if rule.get("type") == "required_reviewers" for r in rule.get("reviewers", [])]
    print("ok " + (", ".join(map(str, reviewers)) or "none"))
' "$state" "$rules" "$branch")
if [[ $verdict != ok* ]]; then
  echo "github-environment: $repository: environment $environment is not as it should be: $verdict" >&2
  exit 1
fi
echo "github-environment: $repository: environment $environment deploys from $branch only; required reviewers: ${verdict#ok }"
