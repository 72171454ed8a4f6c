"""Proves scripts/lambda_base_image.py's `docker save` archive: one arm64 image, its config and
its layer named by their digests, the layer's diff id its own digest, the real image's tag and
environment; and the layer's files owned by root.

Usage: python -m unittest scripts/test_lambda_base_image.py   (from the repository root)
"""

import hashlib
import io
import json
import pathlib
import sys
import tarfile
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import lambda_base_image  # noqa: E402


class ArchiveTest(unittest.TestCase):
    def test_the_archive_is_one_arm64_image_docker_load_reads(self):
        with tempfile.TemporaryDirectory() as work:
            root = pathlib.Path(work)
            (root / "bin").mkdir()
            (root / "bin" / "busybox").write_bytes(b"\x7fELF")
            (root / "bin" / "sh").symlink_to("busybox")
            layer = lambda_base_image.layer_of(root)
        image = tarfile.open(fileobj=io.BytesIO(lambda_base_image.archive(layer, "example:arm64")))
        manifest = json.load(image.extractfile("manifest.json"))
        self.assertEqual(len(manifest), 1)
        self.assertEqual(manifest[0]["RepoTags"], ["example:arm64"])
        config_bytes = image.extractfile(manifest[0]["Config"]).read()
        self.assertEqual(manifest[0]["Config"], hashlib.sha256(config_bytes).hexdigest() + ".json")
        config = json.loads(config_bytes)
        self.assertEqual((config["architecture"], config["os"]), ("arm64", "linux"))
        self.assertIn("LAMBDA_TASK_ROOT=/var/task", config["config"]["Env"])
        stored = image.extractfile(manifest[0]["Layers"][0]).read()
        self.assertEqual(stored, layer)
        self.assertEqual(config["rootfs"]["diff_ids"], ["sha256:" + hashlib.sha256(layer).hexdigest()])
        files = tarfile.open(fileobj=io.BytesIO(layer))
        members = {member.name: member for member in files.getmembers()}
        self.assertEqual(set(members), {"bin", "bin/busybox", "bin/sh"})
        self.assertTrue(members["bin/sh"].issym())
        self.assertTrue(all(member.uid == 0 and member.uname == "root" for member in members.values()))


if __name__ == "__main__":
    unittest.main()
