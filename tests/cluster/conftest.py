"""One Dask cluster on 127.0.0.1 for the tests of this folder: two worker processes under nannies (a killed
worker is restarted, as a new worker that joins), each with one unit of the ``edge`` resource, and an S3
server they reach too."""

from __future__ import annotations

import pytest

from support.s3_server import s3_bucket

distributed = pytest.importorskip("distributed")  # the dask extra; the test extra installs it


@pytest.fixture(scope="module")
def s3():
    """An S3 server on 127.0.0.1; the workers inherit the AWS variables that point at it."""
    pytest.importorskip("s3fs")
    with pytest.MonkeyPatch.context() as patch, s3_bucket(patch) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def cluster(s3, tmp_path_factory):
    # The workers inherit this environment when they start: s3's (no proxy for 127.0.0.1, the AWS variables)
    # and their own data folder.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("worker-data")))
        with distributed.LocalCluster(
            processes=True, n_workers=2, threads_per_worker=2, host="127.0.0.1", dashboard_address=None,
            resources={"edge": 1},
        ) as local:  # fmt: skip
            yield local
