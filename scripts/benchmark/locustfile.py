"""One page under load (run by scripts.benchmark.load through `locust --headless`): every simulated user holds a
session of its own, signed in as the page's role (the harness made the sessions)."""

import itertools
import os

from locust import FastHttpUser, constant, task

PATH = os.environ["BENCH_LOCUST_PATH"]
SESSIONS = itertools.cycle(os.environ["BENCH_LOCUST_SESSIONS"].split(","))
COOKIE = os.environ.get("BENCH_LOCUST_COOKIE", "sessionid")


class PageUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.headers = {"Cookie": f"{COOKIE}={next(SESSIONS)}"}

    @task
    def page(self):
        with self.client.get(PATH, headers=self.headers, name=PATH, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
