"""What the compose tests share: the test image and a look at a project's resources."""

from __future__ import annotations

import subprocess

BUSYBOX = "ptest-iso-test/busybox:latest"


def project_resources(project: str) -> list[str]:
    """The containers, networks and volumes labelled with the compose project, as the docker CLI sees them."""
    found = []
    for command in (["ps", "-aq"], ["network", "ls", "-q"], ["volume", "ls", "-q"]):
        listed = subprocess.run(["docker", *command, "--filter", f"label=com.docker.compose.project={project}"],
                                check=True, capture_output=True, text=True).stdout
        found += listed.split()
    return found
