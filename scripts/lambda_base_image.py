"""Builds a stand-in for AWS's `public.ecr.aws/lambda/provided:al2023-arm64` image, for `sam local`
where no image registry is reachable (offline CI): Debian's own arm64 packages (the C library,
libgcc and a static busybox for the `/bin/sh`, `mv` and `chmod` SAM's image build runs), unpacked
without running anything, the real image's directories and environment, written as a
`docker save` archive whose config says arm64 (`docker import` would say the host's
architecture) and loaded with `docker load`.

It is not Amazon Linux: glibc 2.36 where AL2023 has 2.34, so a bootstrap that runs here may
still need a newer C library than Lambda's; scripts/check_artifact.py's glibc check on the
bootstraps stays the guard for that.

Usage: python scripts/lambda_base_image.py [--tag TAG]   (as root, on Debian, with docker running)
"""

import argparse
import hashlib
import io
import json
import pathlib
import subprocess
import sys
import tarfile
import tempfile

TAG = "public.ecr.aws/lambda/provided:al2023-arm64"
PACKAGES = ["libc6:arm64", "libgcc-s1:arm64", "busybox-static:arm64"]
# The applets SAM's image build and a function's start need, linked to busybox.
APPLETS = ["sh", "mv", "chmod", "cp", "ls", "cat", "mkdir", "rm", "ln", "env", "echo", "sleep", "chown", "true"]
# The real image's environment (as `docker inspect` shows it).
ENVIRONMENT = [
    "LANG=en_US.UTF-8",
    "TZ=:/etc/localtime",
    "PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
    "LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
    "LAMBDA_TASK_ROOT=/var/task",
    "LAMBDA_RUNTIME_DIR=/var/runtime",
]


def run(*command: str, cwd: pathlib.Path | None = None) -> None:
    subprocess.run(command, check=True, cwd=cwd)


def unpack(work: pathlib.Path) -> pathlib.Path:
    """The root filesystem: the packages unpacked, busybox's applets, Lambda's directories."""
    debs = work / "debs"
    debs.mkdir()
    architectures = subprocess.run(["dpkg", "--print-foreign-architectures"], capture_output=True, text=True, check=True)
    if "arm64" not in architectures.stdout.split():
        run("dpkg", "--add-architecture", "arm64")
        run("apt-get", "update", "-q")
    try:
        run("apt-get", "download", *PACKAGES, cwd=debs)
    except subprocess.CalledProcessError:
        run("apt-get", "update", "-q")
        run("apt-get", "download", *PACKAGES, cwd=debs)
    root = work / "root"
    root.mkdir()
    for deb in sorted(debs.glob("*.deb")):
        run("dpkg-deb", "-x", str(deb), str(root))
    busybox = root / "bin" / "busybox"
    if not busybox.exists():
        raise SystemExit(f"busybox-static did not unpack to {busybox}")
    for applet in APPLETS:
        link = root / "bin" / applet
        if not link.exists():
            link.symlink_to("busybox")
    # Debian's arm64 loader lives in /lib/aarch64-linux-gnu; binaries ask for /lib/ld-linux-aarch64.so.1.
    loader = root / "lib" / "ld-linux-aarch64.so.1"
    if not loader.exists():
        loader.symlink_to("aarch64-linux-gnu/ld-linux-aarch64.so.1")
    for directory in ["var/task", "var/runtime", "var/lang/bin", "opt", "tmp", "etc"]:
        (root / directory).mkdir(parents=True, exist_ok=True)
    (root / "tmp").chmod(0o1777)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\nsbx_user1051:x:993:990::/home/sbx_user1051:/sbin/nologin\n")
    (root / "etc" / "group").write_text("root:x:0:\n")
    return root


def layer_of(root: pathlib.Path) -> bytes:
    """The root filesystem as one uncompressed tar layer, owned by root."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        def as_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            return info
        for path in sorted(root.rglob("*")):
            tar.add(path, arcname=str(path.relative_to(root)), recursive=False, filter=as_root)
    return buffer.getvalue()


def archive(layer: bytes, tag: str) -> bytes:
    """A `docker save` archive of one arm64 image holding `layer`, tagged `tag`."""
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = {
        "architecture": "arm64",
        "os": "linux",
        "config": {"Env": ENVIRONMENT, "WorkingDir": "/var/task", "Entrypoint": ["/lambda-entrypoint.sh"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "scripts/lambda_base_image.py: Debian arm64 packages, a stand-in for " + TAG}],
    }
    config_bytes = json.dumps(config).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    layer_name = hashlib.sha256(layer).hexdigest() + "/layer.tar"
    manifest = [{"Config": config_name, "RepoTags": [tag], "Layers": [layer_name]}]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in [
            (config_name, config_bytes),
            (layer_name, layer),
            ("manifest.json", json.dumps(manifest).encode()),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", default=TAG)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        root = unpack(pathlib.Path(work))
        image = archive(layer_of(root), args.tag)
    subprocess.run(["docker", "load"], input=image, check=True)
    print(f"lambda_base_image: {args.tag} loaded ({len(image) // 1_000_000} MB, arm64)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
