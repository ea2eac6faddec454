"""The storage backends behind uploads, letters and exports: the same behaviour
on the local folders and on an S3-compatible object store (moto's server,
over HTTP)."""
from __future__ import annotations

import pytest

from grantflow.config import ConfigError, load_config
from grantflow.core import storage


def test_put_open_stat_list_and_delete(storage_backend):
    files = storage.area("exports")
    files.put_bytes("portfolio/1-a.csv", b"one")
    with files.new_file("portfolio/2-b.csv") as path:
        path.write_bytes(b"second")
    files.put_bytes("public/fund.json", b"{}")
    assert files.read_bytes("portfolio/2-b.csv") == b"second"
    with files.open("portfolio/1-a.csv") as handle:
        assert handle.read() == b"one"
    assert files.exists("portfolio/1-a.csv") and files.stat("portfolio/1-a.csv").size == 3
    assert sorted(o.key for o in files.list("portfolio/")) == ["portfolio/1-a.csv", "portfolio/2-b.csv"]
    files.delete("portfolio/1-a.csv")
    files.delete("portfolio/1-a.csv")  # deleting what is gone is not an error
    assert not files.exists("portfolio/1-a.csv") and files.stat("portfolio/1-a.csv") is None
    with pytest.raises(FileNotFoundError):
        files.read_bytes("portfolio/1-a.csv")


def test_a_file_whose_block_fails_is_never_stored(storage_backend):
    files = storage.area("exports")
    with pytest.raises(RuntimeError):
        with files.new_file("portfolio/half.csv") as path:
            path.write_bytes(b"half")
            raise RuntimeError("the export failed")
    assert not files.exists("portfolio/half.csv") and list(files.list()) == []


def test_areas_do_not_see_each_other(storage_backend):
    storage.area("uploads").put_bytes("ab/abc", b"upload")
    assert not storage.area("letters").exists("ab/abc") and list(storage.area("exports").list()) == []


@pytest.mark.parametrize("backend", [storage.LocalStorage, lambda root: storage.S3Storage(None, "bucket", "p/")],
                         ids=["local", "s3"])
@pytest.mark.parametrize("key", ["", "/etc/passwd", "../secret", "a/../../b", "a//b", "a\\b"])
def test_keys_cannot_leave_their_area(tmp_path, backend, key):
    files = backend(tmp_path)
    for use in (lambda: files.put_bytes(key, b"x"), lambda: files.open(key), lambda: files.delete(key)):
        with pytest.raises(ValueError, match="invalid storage key"):
            use()


def test_s3_objects_are_private_and_where_the_settings_say(app, s3_storage):
    storage.area("letters").put_bytes("7/award-v1.pdf", b"%PDF-1.4")
    client = storage._s3_client(app)
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=s3_storage)["Contents"]]
    assert keys == ["grantflow/letters/7/award-v1.pdf"]
    grants = client.get_object_acl(Bucket=s3_storage, Key=keys[0])["Grants"]
    # the owner alone: no AllUsers or AuthenticatedUsers grant
    assert [(g["Grantee"]["Type"], g["Permission"]) for g in grants] == [("CanonicalUser", "FULL_CONTROL")]


@pytest.mark.parametrize("env, message", [
    ({"GRANTFLOW_STORAGE": "ftp"}, "must be “local” or “s3”"),
    ({"GRANTFLOW_STORAGE": "s3"}, "GRANTFLOW_S3_BUCKET must name a bucket"),
])
def test_storage_settings_that_cannot_work_stop_start_up(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path, {"SECRET_KEY": "x", **env})


def test_storage_settings_from_the_environment(tmp_path):
    config = load_config(tmp_path, {"SECRET_KEY": "x", "GRANTFLOW_STORAGE": "S3", "GRANTFLOW_S3_BUCKET": "grants",
                                    "GRANTFLOW_S3_ENDPOINT_URL": "https://objects.example.org",
                                    "GRANTFLOW_S3_REGION": "us-east-2", "GRANTFLOW_S3_PREFIX": "prod/"})
    assert (config["STORAGE"], config["S3_BUCKET"], config["S3_ENDPOINT_URL"], config["S3_REGION"],
            config["S3_PREFIX"]) == ("s3", "grants", "https://objects.example.org", "us-east-2", "prod/")
    assert load_config(tmp_path, {"SECRET_KEY": "x"})["STORAGE"] == "local"

