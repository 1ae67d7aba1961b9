"""S3 on 127.0.0.1 for the tests: moto's server mode, reached through the real s3fs and botocore."""

from __future__ import annotations

import contextlib
import urllib.request
from collections.abc import Iterator

from moto.server import ThreadedMotoServer

from support.fake_edge import closed_address

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@contextlib.contextmanager
def s3_bucket(monkeypatch, bucket: str = "clips") -> Iterator[str]:
    """An empty bucket on a fresh server; the AWS variables point this process (and its children) at it.

    Yields the endpoint URL; the store's URL is then ``s3://<bucket>/<prefix>``.
    """
    import boto3

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        for name in PROXY_VARS:
            monkeypatch.delenv(name, raising=False)
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint,
            "NO_PROXY": "127.0.0.1,localhost",
        }.items():
            monkeypatch.setenv(name, value)
        _reset(endpoint)  # moto keeps its buckets per process, not per server: start empty
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
        yield endpoint
        _reset(endpoint)
    finally:
        server.stop()


def unreachable(monkeypatch) -> None:
    """Point S3 (this process and its children) at 127.0.0.1 where nothing listens, with test credentials."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed_address("http"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def _reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    opener.open(request, timeout=10).close()


def objects(endpoint: str, bucket: str = "clips") -> dict[str, bytes]:
    """Every object in the bucket, by key."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint)
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for o in page.get("Contents", [])
    ]
    return {key: s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}
