"""Holds docs/openapi.yaml to the OpenAPI 3.1 schema and to the manifest: every route of the
stack's contract functions is a path of the spec (with its trailing slash, as DRF clients send
it), with exactly the endpoint's methods, and the spec describes nothing else. What the server
answers is held to the spec by scripts/schemathesis.sh.

Usage: python -m unittest scripts/test_openapi.py   (from the repository root)
"""

import json
import pathlib
import unittest

import yaml
from openapi_spec_validator import validate

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
MANIFEST = json.loads((ROOT / "manifest.json").read_text())
OPERATIONS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def manifest_paths() -> dict[str, set[str]]:
    """Each contract endpoint's path as the spec spells it, with its methods."""
    paths = {}
    for function in MANIFEST["functions"]:
        if function["kind"] != "contract":
            continue
        for route in function["routes"]:
            _, path = route.split(" ", 1)
            paths[path + "/"] = {method.lower() for method in function["methods"]}
    return paths


class OpenApiTest(unittest.TestCase):
    def test_the_spec_is_valid_openapi_3_1(self):
        self.assertEqual(SPEC["openapi"], "3.1.0")
        validate(SPEC)

    def test_every_endpoint_is_described_with_its_methods_and_nothing_else(self):
        described = {
            path: {method for method in item if method in OPERATIONS}
            for path, item in SPEC["paths"].items()
        }
        self.assertEqual(described, manifest_paths())

    def test_every_operation_answers_its_refusals(self):
        for path, item in SPEC["paths"].items():
            for method, operation in item.items():
                if method not in OPERATIONS:
                    continue
                statuses = set(operation["responses"])
                with self.subTest(operation=f"{method.upper()} {path}"):
                    self.assertLessEqual({"405", "406", "503"}, statuses)
                    authenticated = operation.get("security", SPEC["security"]) != []
                    if authenticated:
                        self.assertIn("401", statuses)
                    if "requestBody" in operation:
                        self.assertLessEqual({"400", "413", "415"}, statuses)
                        content = operation["requestBody"]
                        if "$ref" in content:
                            name = content["$ref"].rsplit("/", 1)[1]
                            content = SPEC["components"]["requestBodies"][name]
                        self.assertEqual(
                            set(content["content"]),
                            {"application/json", "application/x-www-form-urlencoded", "multipart/form-data"},
                        )


if __name__ == "__main__":
    unittest.main()
