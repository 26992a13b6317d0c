#!/usr/bin/python3
"""pinpipe's S3 backend and the AWS CLI see the same bucket: against a private s3rver (which
checks SigV4 signatures), `aws s3 ls/cp --endpoint-url` lists and reads back what
`pinpipe store put` wrote (single and multipart uploads, keys with the sink's `+` and `=`),
and `pinpipe store ls/cat` reads what awscli wrote (awscli's own multipart upload included).
Also: the CLI's errors for a missing bucket, bad credentials and a bad URL."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "testutil"))
from s3rver import S3rver  # noqa: E402

BIN = os.environ.get("PINPIPE_BINARY", "build/debug/pinpipe")
AWS = "/usr/bin/aws"
BUCKET = "pinpipe-test"
SINK_KEY = "topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+0000000000.json"


class S3AwsCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s3 = S3rver(buckets=[BUCKET]).start()
        cls.tmp = tempfile.mkdtemp(prefix="pinpipe-awscli-")
        cls.env = cls.s3.env()
        # A small multipart threshold, so pinpipe's multipart upload is exercised too.
        cls.env["PINPIPE_S3_MULTIPART_THRESHOLD_BYTES"] = str(64 * 1024)
        cls.env["PINPIPE_S3_PART_SIZE_BYTES"] = str(32 * 1024)
        cls.env["AWS_CONFIG_FILE"] = os.path.join(cls.tmp, "no-aws-config")
        cls.env["HOME"] = cls.tmp

    @classmethod
    def tearDownClass(cls):
        cls.s3.stop()
        subprocess.run(["rm", "-rf", cls.tmp])

    def pinpipe(self, *args, input=None, env=None, check=True):
        r = subprocess.run([BIN, "--data-dir", os.path.join(self.tmp, "data"), "store", *args],
                           input=input, capture_output=True, env=env or self.env)
        if check:
            self.assertEqual(r.returncode, 0, r.stderr.decode())
        return r

    def aws(self, *args, check=True):
        r = subprocess.run([AWS, "--endpoint-url", self.s3.endpoint, *args],
                           capture_output=True, env=self.env)
        if check:
            self.assertEqual(r.returncode, 0, r.stderr.decode())
        return r

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def aws_listing(self, prefix):
        out = self.aws("s3", "ls", "--recursive", f"s3://{BUCKET}/{prefix}").stdout.decode()
        listing = {}
        for line in out.splitlines():
            date, time, size, key = line.split(None, 3)
            listing[key] = int(size)
        return listing

    def test_awscli_reads_what_pinpipe_wrote(self):
        small = b'{"index": 7528, "title": "a pin"}\n{"index": 2863, "title": "b"}\n'
        big = bytes((i * 7 + i // 251) % 256 for i in range(300 * 1024 + 5))  # multipart
        self.pinpipe("put", f"s3://{BUCKET}/pp/{SINK_KEY}", self.write("small", small))
        self.pinpipe("put", f"s3://{BUCKET}/pp/big.bin", "-", input=big)
        self.assertEqual(self.aws_listing("pp/"),
                         {f"pp/{SINK_KEY}": len(small), "pp/big.bin": len(big)})
        got = self.aws("s3", "cp", f"s3://{BUCKET}/pp/{SINK_KEY}", "-").stdout
        self.assertEqual(got, small)
        self.aws("s3", "cp", f"s3://{BUCKET}/pp/big.bin", os.path.join(self.tmp, "big.back"))
        with open(os.path.join(self.tmp, "big.back"), "rb") as f:
            self.assertEqual(f.read(), big)

    def test_pinpipe_reads_what_awscli_wrote(self):
        small = b"written by awscli\n"
        big = os.urandom(9 * 1024 * 1024)  # above awscli's 8 MiB multipart threshold
        self.aws("s3", "cp", self.write("a.json", small),
                 f"s3://{BUCKET}/aws/topics/t+0+0000000003.json")
        self.aws("s3", "cp", self.write("big", big), f"s3://{BUCKET}/aws/big.bin")
        lines = self.pinpipe("ls", f"s3://{BUCKET}/aws/").stdout.decode().splitlines()
        rows = [line.split("\t") for line in lines]
        self.assertEqual([(r[0], int(r[1])) for r in rows],
                         [("aws/big.bin", len(big)), ("aws/topics/t+0+0000000003.json", len(small))])
        for r in rows:
            self.assertRegex(r[2], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(self.pinpipe("cat", f"s3://{BUCKET}/aws/topics/t+0+0000000003.json").stdout,
                         small)
        self.assertEqual(self.pinpipe("cat", f"s3://{BUCKET}/aws/big.bin").stdout, big)
        self.pinpipe("rm", f"s3://{BUCKET}/aws/big.bin")
        self.assertEqual(self.aws_listing("aws/"), {"aws/topics/t+0+0000000003.json": len(small)})

    def test_if_absent_and_clear_errors(self):
        self.pinpipe("put", "--if-absent", f"s3://{BUCKET}/commit/0.json", "-", input=b"v0")
        r = self.pinpipe("put", "--if-absent", f"s3://{BUCKET}/commit/0.json", "-", input=b"v1",
                         check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"PreconditionFailed", r.stderr)
        self.assertEqual(self.aws("s3", "cp", f"s3://{BUCKET}/commit/0.json", "-").stdout, b"v0")

        r = self.pinpipe("ls", "s3://no-such-bucket/x", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"no such bucket", r.stderr)

        bad = dict(self.env, AWS_SECRET_ACCESS_KEY="not-the-secret")
        r = self.pinpipe("ls", f"s3://{BUCKET}/", env=bad, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"SignatureDoesNotMatch", r.stderr)
        self.assertIn(b"AWS_ACCESS_KEY_ID", r.stderr)

        r = self.pinpipe("cat", f"s3://{BUCKET}/no/such/key", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"NoSuchKey", r.stderr)

        r = self.pinpipe("ls", "gs://bucket/x", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"unknown scheme", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
