#!/usr/bin/python3
"""Compatibility of pinpipe's Kafka REST API with what real clients send and expect.

python3 `requests` sends exactly what the original user_posting_emulation.py sends; the
responses must have Confluent's shapes (field names, order, types, nulls) and its error codes
(reference/wire-apis.md §1). Runs a real `pinpipe up` (PINPIPE_BINARY).
"""
import datetime
import http.client
import json
import os
import sys
import unittest

import requests

sys.path.insert(0, os.path.dirname(__file__))
from pinpipe_server import PinpipeServer  # noqa: E402

USER = "0a1b2c3d4e5f"
V2_JSON = "application/vnd.kafka.json.v2+json"

PIN = {"index": 7528, "unique_id": "fbe53c66-3442-4773-b19e-d3ec6f54dddf",
       "title": "No Title Data Available", "description": "No description available Story format",
       "poster_name": "User Info Error", "follower_count": "User Info Error",
       "tag_list": "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e",
       "is_image_or_video": "multi-video(story page format)", "image_src": "Image src error.",
       "downloaded": 0, "save_location": "Local save in /data/mens-fashion",
       "category": "mens-fashion"}
GEO = {"ind": 7528, "timestamp": datetime.datetime(2020, 8, 28, 3, 52, 47), "latitude": -89.9787,
       "longitude": -173.293, "country": "Albania"}
USR = {"ind": 7528, "first_name": "Abigail", "last_name": "Ali", "age": 20,
       "date_joined": datetime.datetime(2015, 10, 24, 11, 23, 51)}


def original_post(invoke_url, row):
    """What user_posting_emulation.py does for each row, verbatim."""
    payload = json.dumps({"records": [{"value": row}]}, default=str)
    headers = {"Content-Type": "application/vnd.kafka.json.v2+json"}
    return requests.request("POST", invoke_url, headers=headers, data=payload)


class ProduceCompatTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = PinpipeServer().start()
        cls.url = cls.srv.url

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    def assertKafkaError(self, resp, status, code, message=None):
        self.assertEqual(resp.status_code, status, resp.text)
        body = resp.json()
        self.assertEqual(list(body.keys()), ["error_code", "message"])
        self.assertEqual(body["error_code"], code)
        self.assertIsInstance(body["message"], str)
        if message is not None:
            self.assertEqual(body["message"], message)

    def test_the_original_emulators_three_posts(self):
        for table, row in (("pin", PIN), ("geo", GEO), ("user", USR)):
            resp = original_post(f"{self.url}/topics/{USER}.{table}", row)
            self.assertEqual(resp.status_code, 200, resp.text)
            self.assertEqual(resp.headers["Content-Type"], "application/vnd.kafka.v2+json")
            self.assertRegex(
                resp.text,
                r'^\{"offsets":\[\{"partition":0,"offset":\d+,"error_code":null,"error":null\}\],'
                r'"key_schema_id":null,"value_schema_id":null\}$')
            body = resp.json()
            self.assertIsInstance(body["offsets"][0]["offset"], int)

    def test_metrics_show_produce_and_log_counters(self):
        original_post(f"{self.url}/topics/{USER}.pin", PIN)
        r = requests.get(f"{self.url}/metrics")
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/plain"))
        values = {}
        for line in r.text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                values[name] = float(value)
        self.assertGreater(values["pinpipe_produce_records_total"], 0)
        self.assertGreater(values["pinpipe_log_fsyncs_total"], 0)
        self.assertEqual(values['pinpipe_log_group_commit_size_bucket{le="+Inf"}'],
                         values["pinpipe_log_group_commit_size_count"])
        self.assertGreater(values[f'pinpipe_log_end_offset{{topic="{USER}.pin",partition="0"}}'], 0)
        self.assertGreater(values['pinpipe_http_requests_total{code="2xx"}'], 0)

    def test_offsets_are_dense_and_per_record(self):
        body = {"records": [{"value": dict(PIN, index=i)} for i in range(5)]}
        r = requests.post(f"{self.url}/topics/{USER}.pin", json=body,
                          headers={"Content-Type": V2_JSON})
        self.assertEqual(r.status_code, 200, r.text)
        offsets = [o["offset"] for o in r.json()["offsets"]]
        self.assertEqual(offsets, list(range(offsets[0], offsets[0] + 5)))

    def test_binary_format_keys_and_partitions(self):
        r = requests.post(f"{self.url}/topics/{USER}.pin/partitions/0",
                          headers={"Content-Type": "application/vnd.kafka.binary.v2+json"},
                          data=json.dumps({"records": [
                              {"key": "a2V5", "value": "eyJpbmRleCI6IDF9"}]}))
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["offsets"][0]["partition"], 0)

    def test_metadata_shapes(self):
        r = requests.get(f"{self.url}/topics")
        self.assertEqual(r.status_code, 200)
        self.assertTrue({f"{USER}.pin", f"{USER}.geo", f"{USER}.user"} <= set(r.json()))
        t = requests.get(f"{self.url}/topics/{USER}.pin").json()
        self.assertEqual(list(t.keys()), ["name", "configs", "partitions"])
        self.assertEqual(t["partitions"][0],
                         {"partition": 0, "leader": 0,
                          "replicas": [{"broker": 0, "leader": True, "in_sync": True}]})
        self.assertIsInstance(t["configs"]["retention.ms"], str)
        p = requests.get(f"{self.url}/topics/{USER}.pin/partitions")
        self.assertEqual(p.json(), t["partitions"])
        self.assertEqual(requests.get(f"{self.url}/topics/{USER}.pin/partitions/0").json(),
                         t["partitions"][0])
        self.assertEqual(requests.get(f"{self.url}/brokers").json(), {"brokers": [0]})

    def test_error_codes(self):
        self.assertKafkaError(original_post(f"{self.url}/topics/no.such.topic", PIN), 404, 40401,
                              "Topic not found.")
        self.assertKafkaError(requests.get(f"{self.url}/topics/no.such.topic"), 404, 40401)
        self.assertKafkaError(requests.get(f"{self.url}/topics/{USER}.pin/partitions/7"), 404,
                              40402)
        r = requests.post(f"{self.url}/topics/{USER}.pin/partitions/3",
                          headers={"Content-Type": V2_JSON}, json={"records": [{"value": PIN}]})
        self.assertKafkaError(r, 404, 40402)
        r = requests.post(f"{self.url}/topics/{USER}.pin", json={"records": [{"value": PIN}]})
        self.assertKafkaError(r, 415, 415, "HTTP 415 Unsupported Media Type")
        r = requests.post(f"{self.url}/topics/{USER}.pin", data='{"records": [',
                          headers={"Content-Type": V2_JSON})
        self.assertKafkaError(r, 400, 400)
        r = requests.post(f"{self.url}/topics/{USER}.pin", data='{"records": []}',
                          headers={"Content-Type": V2_JSON})
        self.assertKafkaError(r, 422, 422, "records may not be empty")
        r = requests.post(f"{self.url}/topics/{USER}.pin", data="",
                          headers={"Content-Type": V2_JSON})
        self.assertKafkaError(r, 422, 42206)
        r = requests.post(f"{self.url}/topics/{USER}.pin", headers={"Content-Type": V2_JSON},
                          json={"records": [{"value": {"title": "no key"}}]})
        self.assertKafkaError(r, 422, 42203)
        r = requests.post(f"{self.url}/topics/{USER}.pin",
                          headers={"Content-Type": V2_JSON, "Accept": "text/html"},
                          json={"records": [{"value": PIN}]})
        self.assertEqual(r.status_code, 406)
        self.assertEqual(r.content, b"")
        self.assertKafkaError(requests.get(f"{self.url}/no/such/path"), 404, 404)
        self.assertKafkaError(requests.delete(f"{self.url}/topics"), 405, 405)

    def test_refused_requests_write_nothing(self):
        before = requests.get(f"{self.url}/topics/{USER}.geo/partitions/0/offsets").json()
        bad = {"records": [{"value": dict(GEO, timestamp=str(GEO["timestamp"]))},
                           {"value": {"country": "no key"}}]}
        r = requests.post(f"{self.url}/topics/{USER}.geo", headers={"Content-Type": V2_JSON},
                          json=bad)
        self.assertKafkaError(r, 422, 42203)
        after = requests.get(f"{self.url}/topics/{USER}.geo/partitions/0/offsets").json()
        self.assertEqual(before, after)
        self.assertEqual(list(after.keys()), ["beginning_offset", "end_offset"])

    def test_invalid_topic_names(self):
        for name in ("x" * 250, "bad$name", "..", "%2E%2E"):
            conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=10)
            conn.request("POST", f"/topics/{name}", body=json.dumps({"records": [{"value": 1}]}),
                         headers={"Content-Type": V2_JSON})
            resp = conn.getresponse()
            body = json.loads(resp.read())
            self.assertIn(resp.status, (400, 404), name)
            self.assertIn(body["error_code"], (40002, 40401, 404, 400), name)
            conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=10)
        conn.request("POST", "/topics/../x", body="{}", headers={"Content-Type": V2_JSON})
        resp = conn.getresponse()
        self.assertEqual(resp.status, 404)
        resp.read()
        conn.close()
        self.assertEqual(requests.get(f"{self.url}/healthz").status_code, 200)

    def test_ambiguous_framing_is_refused(self):
        import socket
        for head in (b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                     b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                     b"Transfer-Encoding: \x81chunked\r\n"):
            with socket.create_connection(("127.0.0.1", self.srv.port), timeout=10) as s:
                s.sendall(b"POST /topics/" + USER.encode() + b".pin HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Type: application/vnd.kafka.json.v2+json\r\n" + head +
                          b"\r\n0\r\n\r\n")
                reply = s.recv(4096)
            self.assertTrue(reply.startswith(b"HTTP/1.1 400"), reply[:80])
        self.assertEqual(requests.get(f"{self.url}/healthz").status_code, 200)

    def test_v3_single_and_streaming(self):
        url = f"{self.url}/v3/clusters/pinpipe/topics/{USER}.user/records"
        one = {"value": {"type": "JSON", "data": dict(USR, date_joined=str(USR["date_joined"]))}}
        r = requests.post(url, json=one)
        self.assertEqual(r.status_code, 200, r.text)
        report = r.json()
        self.assertEqual(report["error_code"], 200)
        self.assertEqual(report["topic_name"], f"{USER}.user")
        self.assertEqual(report["value"]["type"], "JSON")
        self.assertRegex(report["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")

        def chunks():
            for i in range(20):
                yield json.dumps({"value": {"type": "JSON", "data": dict(one["value"]["data"], ind=i)}}).encode()
            yield json.dumps({"value": {"type": "JSON", "data": {"no": "key"}}}).encode()

        r = requests.post(url, data=chunks(), headers={"Content-Type": "application/json"})
        self.assertEqual(r.status_code, 200)
        reports = [json.loads(l) for l in r.text.splitlines()]
        self.assertEqual(len(reports), 21)
        self.assertTrue(all(x["error_code"] == 200 for x in reports[:20]))
        offsets = [x["offset"] for x in reports[:20]]
        self.assertEqual(offsets, sorted(offsets))
        self.assertEqual(reports[20]["error_code"], 422)
        r = requests.post(url, data="{}", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status_code, 415)


class GatewayShapesTest(unittest.TestCase):
    """An API Gateway stage (/test) and an x-api-key, as the original's invoke URL has."""

    def test_base_path_and_api_key(self):
        env = {"PINPIPE_API_BASE_PATH": "/test", "PINPIPE_API_API_KEY": "k3y"}
        with PinpipeServer(env=env) as srv:
            url = f"{srv.url}/topics/{USER}.pin"
            self.assertTrue(url.startswith(f"http://127.0.0.1:{srv.port}/test/"))
            r = original_post(url, PIN)
            self.assertEqual(r.status_code, 403)
            self.assertEqual(r.json(), {"message": "Forbidden"})
            payload = json.dumps({"records": [{"value": PIN}]}, default=str)
            r = requests.post(url, data=payload, headers={"Content-Type": V2_JSON,
                                                          "x-api-key": "k3y"})
            self.assertEqual(r.status_code, 200, r.text)
            self.assertEqual(requests.get(f"http://127.0.0.1:{srv.port}/healthz").status_code, 200)


class AutoCreateTest(unittest.TestCase):
    def test_auto_create_topics(self):
        with PinpipeServer(env={"PINPIPE_API_AUTO_CREATE_TOPICS": "true"}) as srv:
            r = requests.post(f"{srv.url}/topics/brand.new", headers={"Content-Type": V2_JSON},
                              json={"records": [{"value": {"a": 1}}]})
            self.assertEqual(r.status_code, 200, r.text)
            self.assertIn("brand.new", requests.get(f"{srv.url}/topics").json())


if __name__ == "__main__":
    unittest.main(verbosity=2)
