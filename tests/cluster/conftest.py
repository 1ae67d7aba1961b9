"""One Dask cluster on 127.0.0.1 for the tests of this folder: two worker processes under nannies (a killed
worker is restarted, as a new worker that joins), each with one unit of the ``edge`` resource."""

from __future__ import annotations

import os

import pytest

from s3_server import s3_bucket

distributed = pytest.importorskip("distributed")  # the dask extra; the test extra installs it


@pytest.fixture(scope="module")
def s3():
    """An S3 server on 127.0.0.1 that the workers reach too (they inherit the AWS variables set here)."""
    pytest.importorskip("s3fs")
    with pytest.MonkeyPatch.context() as patch, s3_bucket(patch) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def cluster(s3):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        os.environ.pop(name, None)  # the workers inherit this process's environment when they start
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
    with distributed.LocalCluster(
        processes=True, n_workers=2, threads_per_worker=2, host="127.0.0.1", dashboard_address=None,
        resources={"edge": 1},
    ) as local:  # fmt: skip
        yield local
