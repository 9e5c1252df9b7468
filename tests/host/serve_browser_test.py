#!/usr/bin/env python3
"""ft-host serve in a real headless browser: Debian's chromium, driven by Selenium.

Starts `ft-host serve` on a fresh workspace with the copy task of `ft-host demo` (its tiny-llama
preset, trained from scratch, on "copy: a b c d =" -> " a b c d"), then, as a user would:
  1. New fine-tune: the model, the training file uploaded with the file picker, the validation
     file typed in, every hyper-parameter left "auto"; Plan shows the plan with reasons; Start.
  2. Trainings: the job appears and finishes (the list follows it live).
  3. The job page: its chart and events; the Hyper-parameters popup with a reason.
  4. A second job: Cancel while it trains, Resume, and it runs to the end.
  5. Playground: the first job's model completes a prompt.
A screenshot of each page goes to --screenshots. The page must log no error (a blocked script or
style, a failed request) to the browser's console.

usage: serve_browser_test.py --ft-host PATH --plugin PATH --screenshots DIR
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT_SECONDS = 120


def write_copy_task(path, count, offset=0):
    """The demo's task, as tests/copy_data.h writes it: example i spells i in base 8 with a-h."""
    with open(path, "w") as out:
        for i in range(offset, offset + count):
            letters = " ".join(chr(ord("a") + (i >> (3 * k)) % 8) for k in range(4))
            out.write(json.dumps({"prompt": f"copy: {letters} =", "completion": f" {letters}"}) + "\n")


def start_server(ft_host, plugin, workspace, data):
    """Runs ft-host serve on a free port; returns the process and the URL it printed."""
    server = subprocess.Popen([ft_host, "serve", "--port", "0", "--plugin", plugin, "--workspace", workspace, data],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    printed = ""
    deadline = time.time() + 60
    while time.time() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        printed += line
        match = re.search(r"http://127\.0\.0\.1:\d+/#token=[0-9a-f]{64}", line)
        if match:
            return server, match.group(0)
    server.kill()
    sys.exit(f"ft-host serve printed no URL:\n{printed}")


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,1000",
                     "--disable-gpu", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver_path), options=options)


class User:
    """What a user does on the pages, and what they see."""

    def __init__(self, driver, screenshots):
        self.driver = driver
        self.screenshots = screenshots

    def wait(self, condition, what, seconds=WAIT_SECONDS):
        # The pages redraw what changes, so an element found a moment ago may be gone: look again.
        waiting = WebDriverWait(self.driver, seconds, poll_frequency=0.1,
                                ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))
        try:
            return waiting.until(condition)
        except TimeoutException:
            self.shot("failure")
            raise AssertionError(f"waited {seconds} s for {what}; the page says:\n{self.text('main')[:3000]}")

    def find(self, css):
        return self.wait(ec.presence_of_element_located((By.CSS_SELECTOR, css)), css)

    def text(self, css):
        elements = self.driver.find_elements(By.CSS_SELECTOR, css)
        return elements[0].text if elements else ""

    def script(self, code, *arguments):
        return self.driver.execute_script(code, *arguments)

    def click(self, css):
        # Polled with a line of script: WebDriver's own visibility check takes seconds on a busy CPU.
        usable = "const e = document.querySelector(arguments[0]); return !!e && !e.disabled && !e.hidden && e.offsetParent !== null;"
        self.wait(lambda d: self.script(usable, css), f"{css} to be usable")
        self.driver.find_element(By.CSS_SELECTOR, css).click()

    def type(self, css, text):
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def tab(self, name):
        self.click(f'nav a[data-page="{name}"]')

    def shot(self, name, whole_page=False):
        """Saves NAME.png: the window, or with whole_page the page from top to bottom."""
        os.makedirs(self.screenshots, exist_ok=True)
        size = self.driver.get_window_size()
        if whole_page:
            height = self.script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(size["width"], max(size["height"], height + 100))
        self.driver.save_screenshot(os.path.join(self.screenshots, f"{name}.png"))
        if whole_page:
            self.driver.set_window_size(size["width"], size["height"])

    def job_status(self):
        return self.script("const e = document.getElementById('job-status'); return e ? e.dataset.status : null;")

    def progress(self):
        return self.script("const e = document.getElementById('progress-text'); return e ? e.textContent : '';")

    def wait_status(self, statuses):
        return self.wait(lambda d: self.job_status() in statuses and self.job_status(), f"the job to be {statuses}")


def plan_and_start(user, training_upload, validation_path, set_values):
    """Fills New fine-tune, plans, checks the plan, starts; returns the new job's id."""
    user.tab("new")
    user.type("#model", "tiny-llama")
    user.find("#training-file-picker").send_keys(training_upload)
    user.wait(lambda d: user.find("#training-file").get_attribute("value").endswith(".jsonl"), "the upload")
    uploaded = user.find("#training-file").get_attribute("value")
    assert "/uploads/" in uploaded, uploaded
    user.type("#validation-file", validation_path)
    for name in ("n_epochs", "batch_size", "learning_rate_multiplier", "prompt_loss_weight"):
        assert user.find(f"#{name}").get_attribute("value") == "auto", name
    for name, value in set_values.items():
        user.type(f"#{name}", value)
    assert not user.find("#start-button").is_enabled(), "Start must wait for a plan"
    user.click("#plan-button")
    user.find("#plan-result")
    rows = user.driver.find_elements(By.CSS_SELECTOR, "#plan-result table.hyperparameters tbody tr")
    assert len(rows) > 15, len(rows)
    sources = {row.get_attribute("data-name"): row.find_elements(By.CSS_SELECTOR, "td")[1].text for row in rows}
    expected_user = set(set_values)
    assert {name for name, source in sources.items() if source == "user"} == expected_user, sources
    assert "Estimate" in user.text("#plan-result") and "examples" in user.text("#plan-result")
    reason = user.text('#plan-result tr[data-name="learning_rate"] td.reason')
    assert "learning_rate_multiplier" in reason, reason
    if not set_values:
        user.shot("new-finetune", whole_page=True)
    user.click("#start-button")
    user.wait(ec.url_matches(r"#/jobs/ftjob-"), "the job page")
    return user.driver.current_url.split("#/jobs/")[1]


def first_job(user, upload, validation):
    job = plan_and_start(user, upload, validation, {})
    user.tab("trainings")
    row = f'#trainings-table tr[data-job-id="{job}"]'
    user.find(row)
    row_status = "const e = document.querySelector(arguments[0]); return e ? e.dataset.status : null;"
    user.wait(lambda d: user.script(row_status, row) == "succeeded", "the job to finish under Trainings")
    assert "tiny-llama" in user.text(row)
    user.shot("trainings")
    user.click(f"{row} a.job-link")
    assert user.wait_status({"succeeded"}) == "succeeded"
    user.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#chart svg polyline#train_loss")) == 1, "the loss chart")
    points = user.find("#chart svg polyline#train_loss").get_attribute("points").split()
    assert len(points) >= 10, points
    assert "Fine-tuning succeeded" in user.text("#events")
    assert "100%" in user.progress()
    assert "/model" in user.text("#details")
    user.shot("job")
    user.click("#hyperparameters-button")
    reason = user.wait(lambda d: user.text('#hyperparameters-dialog tr[data-name="batch_size"] td.reason'), "a reason in the popup")
    assert "auto" in user.text('#hyperparameters-dialog tr[data-name="batch_size"]'), reason
    assert len(reason) > 20, reason
    user.shot("hyperparameters")
    user.find("#hyperparameters-dialog").send_keys(Keys.ESCAPE)
    user.wait(lambda d: not user.script("return document.getElementById('hyperparameters-dialog').open"), "the popup to close")
    user.click("#theme-button")
    user.shot("job-dark")
    user.click("#theme-button")
    return job


def cancel_and_resume(user, upload, validation):
    job = plan_and_start(user, upload, validation, {"n_epochs": "40", "batch_size": "1"})
    user.wait(lambda d: re.search(r"step [1-9]", user.progress()), "the second job to train")
    user.click("#cancel-button")
    assert user.wait_status({"cancelled"}) == "cancelled"
    stopped_at = user.progress()
    assert user.find("#resume-button").is_enabled()
    assert user.script("return document.getElementById('playground-link').offsetParent === null"), \
        "a cancelled job has no model to try"
    user.shot("job-cancelled")
    user.click("#resume-button")
    assert user.wait_status({"succeeded"}) == "succeeded", stopped_at
    events = user.text("#events")
    assert "cancelled" in events.lower() and "Fine-tuning succeeded" in events, events
    return job


def playground(user, job):
    user.tab("playground")
    user.wait(lambda d: any(o.get_attribute("value") == job for o in Select(user.find("#playground-model")).options),
              "the job among the Playground's models")
    Select(user.find("#playground-model")).select_by_value(job)
    user.type("#prompt", "copy: a b c d =")
    user.type("#max-tokens", "8")
    user.click("#generate-button")
    card = user.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#generation-output .generation"), "a completion")[0]
    assert "finish reason" in card.text, card.text
    assert card.find_element(By.CSS_SELECTOR, ".completion").text.strip(), card.text
    user.shot("playground")
    return card.find_element(By.CSS_SELECTOR, ".completion").text


def unknown_job(user, url):
    """A job page for an id no job has says so, with the plugin's status."""
    user.driver.get(url.split("#")[0] + "#/jobs/ftjob-" + "a" * 24)
    box = user.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#notice .error-box"), "the error of an unknown job")[0]
    assert "not_found" in box.text, box.text


def console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ft-host", required=True)
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="ft-serve-browser-") as folder:
        data = os.path.join(folder, "data")
        os.makedirs(data)
        upload = os.path.join(folder, "train.jsonl")  # outside the allowed folder: it must be uploaded
        write_copy_task(upload, 48)
        validation = os.path.join(data, "valid.jsonl")
        write_copy_task(validation, 8, 200)
        server, url = start_server(args.ft_host, args.plugin, os.path.join(folder, "workspace"), data)
        driver = browser()
        try:
            driver.get(url)
            user = User(driver, args.screenshots)
            user.find("nav")
            first = first_job(user, upload, validation)
            second = cancel_and_resume(user, upload, validation)
            completion = playground(user, first)
            errors = console_errors(driver)
            assert not errors, errors
            unknown_job(user, url)
        finally:
            driver.quit()
            server.send_signal(signal.SIGTERM)
            output = server.communicate(timeout=60)[0]
        assert server.returncode == 0, output
    print(f"ok: {first} trained from the New fine-tune page, {second} cancelled and resumed to the end, "
          f"the Playground completed \"copy: a b c d =\" with {completion!r}; screenshots in {args.screenshots} "
          f"({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
