#!/usr/bin/python3
"""The Kafka REST v2 consumer API as a real client uses it (Confluent's documented curl
recipe, in python3 requests) against a real `pinpipe up`: shapes and error codes of
reference/wire-apis.md §1.2/§1.4."""
import json
import os
import sys
import unittest

import requests

sys.path.insert(0, os.path.dirname(__file__))
from pinpipe_server import PinpipeServer  # noqa: E402

USER = "0a1b2c3d4e5f"
V2 = "application/vnd.kafka.v2+json"


class ConsumerCompatTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = PinpipeServer().start()
        cls.url = cls.srv.url
        rows = [{"ind": i, "timestamp": "2020-08-28 03:52:47", "latitude": -89.9787,
                 "longitude": -173.293, "country": "Albania"} for i in range(5)]
        r = requests.post(f"{cls.url}/topics/{USER}.geo",
                          headers={"Content-Type": "application/vnd.kafka.json.v2+json"},
                          data=json.dumps({"records": [{"value": v} for v in rows]}))
        assert r.status_code == 200, r.text
        cls.rows = rows

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    def create(self, group, body):
        return requests.post(f"{self.url}/consumers/{group}", headers={"Content-Type": V2},
                             data=json.dumps(body))

    def test_confluent_quickstart_flow(self):
        r = self.create("g1", {"name": "c1", "format": "json", "auto.offset.reset": "earliest"})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(list(r.json().keys()), ["instance_id", "base_uri"])
        self.assertEqual(r.json()["instance_id"], "c1")
        base = r.json()["base_uri"]
        self.assertEqual(base, f"{self.url}/consumers/g1/instances/c1")
        r = requests.post(f"{base}/subscription", headers={"Content-Type": V2},
                          data=json.dumps({"topics": [f"{USER}.geo"]}))
        self.assertEqual(r.status_code, 204, r.text)
        self.assertEqual(requests.get(f"{base}/subscription").json(), {"topics": [f"{USER}.geo"]})
        got = []
        for _ in range(10):
            r = requests.get(f"{base}/records?timeout=500",
                             headers={"Accept": "application/vnd.kafka.json.v2+json"})
            self.assertEqual(r.status_code, 200, r.text)
            got += r.json()
            if len(got) >= 5:
                break
        self.assertEqual([x["value"] for x in got], self.rows)
        self.assertEqual(list(got[0].keys()), ["topic", "key", "value", "partition", "offset"])
        self.assertEqual(got[0]["topic"], f"{USER}.geo")
        self.assertIsNone(got[0]["key"])
        self.assertEqual([x["offset"] for x in got], list(range(5)))
        r = requests.post(f"{base}/offsets", headers={"Content-Type": V2},
                          data=json.dumps({"offsets": [{"topic": f"{USER}.geo", "partition": 0,
                                                        "offset": 4}]}))
        self.assertEqual(r.status_code, 200, r.text)
        r = requests.get(f"{base}/offsets", headers={"Content-Type": V2},
                         data=json.dumps({"partitions": [{"topic": f"{USER}.geo", "partition": 0}]}))
        self.assertEqual(r.status_code, 200, r.text)
        # As Confluent: a commit names the last consumed offset; the group then holds the next
        # offset to consume, which GET returns.
        self.assertEqual(r.json(), {"offsets": [{"topic": f"{USER}.geo", "partition": 0,
                                                 "offset": 5, "metadata": ""}]})
        self.assertEqual(requests.delete(base, headers={"Content-Type": V2}).status_code, 204)
        self.assertEqual(requests.get(f"{base}/records").status_code, 404)
        # A new member of the group resumes after the committed offset.
        r = self.create("g1", {"name": "c2", "format": "json"})
        base2 = r.json()["base_uri"]
        requests.post(f"{base2}/subscription", headers={"Content-Type": V2},
                      data=json.dumps({"topics": [f"{USER}.geo"]}))
        again = []
        for _ in range(5):
            again += requests.get(f"{base2}/records?timeout=300",
                                  headers={"Accept": "application/vnd.kafka.json.v2+json"}).json()
        self.assertEqual([x["offset"] for x in again], [])
        requests.delete(base2)

    def test_binary_consumer_gets_base64(self):
        r = self.create("g2", {"format": "binary", "auto.offset.reset": "earliest"})
        base = r.json()["base_uri"]
        requests.post(f"{base}/subscription", headers={"Content-Type": V2},
                      data=json.dumps({"topics": [f"{USER}.geo"]}))
        got = []
        for _ in range(10):
            got += requests.get(f"{base}/records?timeout=300",
                                headers={"Accept": "application/vnd.kafka.binary.v2+json"}).json()
            if got:
                break
        import base64
        self.assertEqual(json.loads(base64.b64decode(got[0]["value"])), self.rows[0])
        requests.delete(base)

    def test_error_codes(self):
        r = requests.get(f"{self.url}/consumers/g3/instances/nope/records",
                         headers={"Accept": "application/vnd.kafka.json.v2+json"})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.json()["error_code"], 40403)
        self.assertEqual(self.create("g3", {"name": "dup", "format": "json"}).status_code, 200)
        r = self.create("g3", {"name": "dup", "format": "json"})
        self.assertEqual((r.status_code, r.json()["error_code"]), (409, 40902))
        r = requests.get(f"{self.url}/consumers/g3/instances/dup/records",
                         headers={"Accept": "application/vnd.kafka.binary.v2+json"})
        self.assertEqual((r.status_code, r.json()["error_code"]), (406, 40601))
        r = self.create("g3", {"format": "avro"})
        self.assertEqual((r.status_code, r.json()["error_code"]), (422, 42204))
        requests.delete(f"{self.url}/consumers/g3/instances/dup")


if __name__ == "__main__":
    unittest.main(verbosity=2)
