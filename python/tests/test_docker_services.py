"""Docker environments as services (the image's own process) and sandboxes, and
requirements installed at creation, through the C ABI against the real daemon."""

import json
import os
import pathlib
import subprocess
import urllib.request
import uuid

import pytest

import ptest_isolation as iso

PYTHON_IMAGE = "ptest-iso-test/python:bookworm"
PAGE = "served by the image\n"


@pytest.fixture(scope="module")
def http_image(tmp_path_factory: pytest.TempPathFactory):
    """An image whose own CMD serves PAGE on 8080, built from the busybox test image."""
    context = tmp_path_factory.mktemp("http-image")
    (context / "Dockerfile").write_text(
        "FROM ptest-iso-test/busybox:latest\n"
        "RUN mkdir -p /www && echo 'served by the image' > /www/index.html\n"
        'CMD ["sh", "-c", "echo service starting; exec httpd -f -v -p 8080 -h /www"]\n'
    )
    tag = f"ptest-iso-test/py-http-service:{uuid.uuid4().hex[:8]}"
    # The classic builder: the client here has no buildx plugin.
    subprocess.run(["docker", "build", "-q", "--label", "ptest-iso.test=1", "-t", tag, str(context)],
                   check=True, capture_output=True, env={**os.environ, "DOCKER_BUILDKIT": "0"})
    yield tag
    subprocess.run(["docker", "rmi", "-f", tag], check=False, capture_output=True)


def _get(port: int, path: str = "/index.html") -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return str(response.read().decode())


def _containers(label: str) -> list[str]:
    listed = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={label}"], check=True, capture_output=True, text=True)
    return listed.stdout.split()


def test_the_documented_service_call_runs_the_images_own_process(manager, http_image):
    env = manager.create(engine="docker", image=http_image, ports=[8080],
                         wait_for=[iso.WaitFor.http(8080, "/index.html")])
    assert env.details["mode"] == "service"
    assert _get(env.ports[8080]) == PAGE
    assert env.run(["pidof", "httpd"]).exit_code == 0
    env.run("echo restored > /www/extra.html", check=True)

    # A restore runs the image's process again, with the snapshot's files.
    restored = manager.restore(env.snapshot())
    assert restored.details["mode"] == "service"
    assert _get(restored.ports[8080], "/extra.html") == "restored\n"

    # The same image as a sandbox idles: it runs, and runs no httpd.
    sandbox = manager.create(iso.DockerSpec(image=http_image, ports=[8080], mode="sandbox"))
    assert sandbox.details["mode"] == "sandbox" and sandbox.spec["mode"] == "sandbox"
    assert sandbox.run(["pidof", "httpd"]).exit_code == 1


def test_mode_is_refused_for_a_virtualenv_by_the_core(manager):
    with pytest.raises(iso.InvalidSpec, match=r"^mode:"):
        manager.call("create", spec={"engine": "virtualenv", "mode": "service"})


def test_requirements_install_at_creation_from_find_links_offline(manager, wheels):
    env = manager.create(image=PYTHON_IMAGE, requirements=["pti_alpha"], find_links=[str(wheels)], offline=True)
    result = env.python("import pti_alpha; print(pti_alpha.VERSION)")
    assert result.stdout == "1.0.0\n", result.stderr
    assert env.details["network"] == "none"


def test_a_failed_install_fails_the_create_and_leaves_no_container(manager, wheels):
    with pytest.raises(iso.InstallFailed, match="No matching distribution found for pti_absent") as raised:
        manager.create(image=PYTHON_IMAGE, requirements=["pti_absent"], find_links=[str(wheels)], offline=True)
    assert str(raised.value).startswith("requirements: installing pti_absent")
    failed = [env for env in manager.list(live_only=False) if env.status == "failed"]
    assert len(failed) == 1
    assert _containers(f"ptest-iso.environment={failed[0].id}") == []


def test_an_index_install_without_a_network_is_refused_naming_network(manager):
    with pytest.raises(iso.InvalidSpec, match=r'^network: "none"'):
        manager.create(image=PYTHON_IMAGE, requirements=["pti_alpha"], network="none")
    assert manager.list(live_only=False) == []
