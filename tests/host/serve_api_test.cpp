// ft-host serve's JSON API, over HTTP against the real plugin: the security rules (token,
// Origin, Host, allowed folders, uploads), the ABI functions one to one with the ABI's errors,
// and the event streams.
#include "tests/catch.h"
#include "tests/copy_data.h"
#include "tests/host/serve_session.h"
#include "tests/temp_folder.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

using ft::testing::run_host;
using ft::testing::ServeSession;
using ft::testing::TempFolder;
using ft::testing::write_copy_data;
using nlohmann::json;

namespace {

const std::string kFixtures = FT_FIXTURES;

json error_of(const httplib::Result& r) {
  REQUIRE(r);
  INFO(r->body);
  return json::parse(r->body)["error"];
}

json post(httplib::Client& c, const std::string& path, const json& body) {
  const auto r = c.Post(path.c_str(), body.dump(), "application/json");
  REQUIRE(r);
  INFO(path << ": " << r->body);
  REQUIRE(r->status == 200);
  return json::parse(r->body);
}

json get(httplib::Client& c, const std::string& path) {
  const auto r = c.Get(path.c_str());
  REQUIRE(r);
  INFO(path << ": " << r->body);
  REQUIRE(r->status == 200);
  return json::parse(r->body);
}

json upload(httplib::Client& c, const std::string& name, const std::string& content) {
  const auto r = c.Post(("/api/uploads?name=" + name).c_str(), content, "application/octet-stream");
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 200);
  return json::parse(r->body);
}

// The copy task on the fixtures' tiny Llama: `epochs` passes over 16 examples, 4 a step.
json copy_request(const std::string& train, int epochs) {
  return {{"model", kFixtures + "/hf/tiny-llama"}, {"training_file", train}, {"seed", 3},
          {"hyperparameters", {{"n_epochs", epochs}, {"batch_size", 4}}}};
}

}  // namespace

TEST_CASE("ft-host serve answers the API only with the session token, from its own origin and host", "[host][serve]") {
  TempFolder folder;
  ServeSession serve((folder / "ws").string(), {}, (folder / "serve.out").string());
  httplib::Client bare("127.0.0.1", serve.port());

  SECTION("no token, a wrong token, the token") {
    const auto none = bare.Get("/api/jobs");
    REQUIRE(none);
    CHECK(none->status == 401);
    CHECK(error_of(none)["status"] == "unauthorized");
    const auto wrong = bare.Get("/api/jobs", {{"Authorization", "Bearer " + std::string(64, '0')}});
    REQUIRE(wrong);
    CHECK(wrong->status == 401);
    CHECK(bare.Post("/api/plan", "{}", "application/json")->status == 401);
    CHECK(serve.client().Get("/api/jobs")->status == 200);
    CHECK(bare.Get(("/api/jobs?token=" + serve.token()).c_str())->status == 200);  // as EventSource sends it
  }
  SECTION("a foreign Origin is refused even with the token; the server's own is served") {
    auto c = serve.client();
    const auto foreign = c.Get("/api/jobs", {{"Origin", "http://evil.example"}});
    REQUIRE(foreign);
    CHECK(foreign->status == 403);
    CHECK(error_of(foreign)["status"] == "forbidden");
    CHECK(c.Post("/api/plan", {{"Origin", "http://localhost:1"}}, "{}", "application/json")->status == 403);
    CHECK(c.Get("/", {{"Origin", "http://evil.example"}})->status == 403);
    CHECK(c.Get("/api/jobs", {{"Origin", "http://" + serve.host()}})->status == 200);
  }
  SECTION("a Host header of another name (DNS rebinding) is refused") {
    const auto rebound = serve.client().Get("/api/jobs", {{"Host", "evil.example:" + std::to_string(serve.port())}});
    REQUIRE(rebound);
    CHECK(rebound->status == 403);
  }
  SECTION("the page and its files need no token, come from the executable, and load nothing from elsewhere") {
    const auto page = bare.Get("/");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->get_header_value("Content-Type").find("text/html") == 0);
    CHECK(page->get_header_value("Content-Security-Policy").find("default-src 'self'") != std::string::npos);
    for (const char* asset : {"/", "/app.js", "/api.js", "/app.css", "/pages/job.js", "/pages/new_finetune.js"}) {
      const auto r = bare.Get(asset);
      REQUIRE(r);
      CHECK(r->status == 200);
      CHECK(r->body.find("https://") == std::string::npos);
      CHECK(r->body.find("http://") == std::string::npos);
    }
    CHECK(bare.Get("/no-such-file.js")->status == 404);
    CHECK(bare.Get("/../CMakeLists.txt")->status != 200);
  }
  SECTION("an unknown API route is a JSON 404") {
    const auto r = serve.client().Get("/api/nothing/here");
    CHECK(r->status == 404);
    CHECK(error_of(r)["status"] == "not_found");
  }
  CHECK(serve.stop() == 0);
}

TEST_CASE("ft-host serve refuses paths outside the folders it was given, and caps uploads", "[host][serve]") {
  TempFolder folder;
  std::filesystem::create_directories(folder / "data");
  std::filesystem::create_directories(folder / "outside");
  const std::string inside = write_copy_data(folder, "data/train.jsonl", 16).string();
  const std::string outside = write_copy_data(folder, "outside/train.jsonl", 16).string();
  std::filesystem::create_symlink(outside, folder / "data" / "link.jsonl");
  const std::string ws = (folder / "ws").string();
  ServeSession serve(ws, {(folder / "data").string(), kFixtures, "--max-upload", "1"}, (folder / "serve.out").string());
  auto c = serve.client();
  auto plan = [&](const json& request) { return c.Post("/api/plan", request.dump(), "application/json"); };

  SECTION("a file inside is planned; outside, through \"..\" or through a link it is refused, naming the parameter") {
    CHECK(plan(copy_request(inside, 1))->status == 200);
    for (const std::string& path : {outside, (folder / "data" / ".." / "outside" / "train.jsonl").string(),
                                    (folder / "data" / "link.jsonl").string(), std::string("/etc/passwd")}) {
      const auto r = plan(copy_request(path, 1));
      INFO(path);
      CHECK(r->status == 403);
      CHECK(error_of(r)["status"] == "forbidden");
      CHECK(error_of(r)["param"] == "training_file");
    }
    json escaping_model = copy_request(inside, 1);
    escaping_model["model"] = "/usr";
    CHECK(error_of(plan(escaping_model))["param"] == "model");
    json generate = {{"model", (folder / "outside").string()}, {"prompt", "x"}};
    CHECK(c.Post("/api/generate", generate.dump(), "application/json")->status == 403);
  }
  SECTION("an upload lands in WORKSPACE/uploads under a new name, and is planned from there") {
    const std::string content = "{\"prompt\": \"copy: a b c d =\", \"completion\": \" a b c d\"}\n";
    const auto first = upload(c, "train.jsonl", content);
    const auto second = upload(c, "train.jsonl", content);
    CHECK(first["path"] == (std::filesystem::canonical(ws) / "uploads" / "train.jsonl").string());
    CHECK(second["path"] == (std::filesystem::canonical(ws) / "uploads" / "train-1.jsonl").string());
    json request = copy_request(first["path"], 1);
    request["hyperparameters"]["batch_size"] = 1;
    CHECK(plan(request)->status == 200);
  }
  SECTION("an upload name that is not a plain file name, or a body over the cap, is refused") {
    for (const char* name : {"..%2Fescape.jsonl", "%2Ftmp%2Fx.jsonl", ".hidden", "", "a%20b.jsonl"}) {
      const auto r = c.Post((std::string("/api/uploads?name=") + name).c_str(), "x", "application/octet-stream");
      INFO(name);
      CHECK(r->status == 400);
      CHECK(error_of(r)["param"] == "name");
    }
    const auto big = c.Post("/api/uploads?name=big.jsonl", std::string((1 << 20) + 1, 'x'), "application/octet-stream");
    REQUIRE(big);
    CHECK(big->status == 413);
    CHECK(error_of(big)["status"] == "too_large");
    CHECK(!std::filesystem::exists(std::filesystem::path(ws) / "uploads" / "big.jsonl"));
  }
}

TEST_CASE("ft-host serve maps the C ABI one to one, with its statuses and messages", "[host][serve]") {
  TempFolder folder;
  const std::string train = write_copy_data(folder, "train.jsonl", 16).string();
  const std::string bad = folder.write("bad.jsonl", "{\"prompt\": \"a\", \"completion\": \"b\"}\n{not json\n").string();
  ServeSession serve((folder / "ws").string(), {folder.path().string(), kFixtures}, (folder / "serve.out").string());
  auto c = serve.client();

  SECTION("errors: the ABI's status name and message, and the matching HTTP status") {
    const auto missing_file = c.Post("/api/plan", json{{"model", "tiny-llama"}}.dump(), "application/json");
    CHECK(missing_file->status == 400);
    CHECK(error_of(missing_file)["status"] == "invalid_argument");
    CHECK(error_of(missing_file)["message"].get<std::string>().find("training_file") != std::string::npos);
    const auto not_found = c.Post("/api/plan", copy_request((folder / "none.jsonl").string(), 1).dump(), "application/json");
    CHECK(not_found->status == 404);
    const auto invalid = c.Post("/api/plan", copy_request(bad, 1).dump(), "application/json");
    CHECK(invalid->status == 422);
    CHECK(error_of(invalid)["status"] == "invalid_input");
    CHECK(error_of(invalid)["message"].get<std::string>().find("line 2") != std::string::npos);
    CHECK(c.Post("/api/plan", "{not json", "application/json")->status == 400);
    CHECK(error_of(c.Get("/api/jobs/nope"))["status"] == "invalid_argument");
    CHECK(c.Get(("/api/jobs/ftjob-" + std::string(24, 'a')).c_str())->status == 404);
    CHECK(c.Get("/api/jobs/nope/events?after=x")->status == 400);
  }
  SECTION("plan, create, wait, list, get, events, hyper-parameters, progress, chart, stream, generate") {
    const json plan = post(c, "/api/plan", copy_request(train, 2));
    CHECK(plan["hyperparameters"]["n_epochs"]["source"] == "user");
    CHECK(plan["hyperparameters"]["learning_rate"]["source"] == "auto");
    const json job = post(c, "/api/jobs", copy_request(train, 2));
    const std::string id = job["id"], base = "/api/jobs/" + id;
    CHECK(job["status"] == "validating_files");
    json waited;
    do waited = post(c, base + "/wait?timeout_ms=20000", json::object());
    while (!waited["final"].get<bool>());
    CHECK(waited["status"] == "succeeded");
    CHECK(get(c, "/api/jobs")["data"][0]["id"] == id);
    CHECK(get(c, base)["status"] == "succeeded");
    const json events = get(c, base + "/events");
    REQUIRE(events["data"].size() > 8);
    const json later = get(c, base + "/events?after=5");
    CHECK(later["data"][0]["seq"] == 6);
    CHECK(get(c, base + "/hyperparameters")["hyperparameters"]["batch_size"]["reason"].get<std::string>().find("set by the user") != std::string::npos);
    const json progress = get(c, base + "/progress");
    CHECK(progress["status"] == "succeeded");
    CHECK(progress["step"] == 8);
    CHECK(progress["total_steps"] == 8);
    const auto chart = c.Get((base + "/chart.svg").c_str());
    CHECK(chart->get_header_value("Content-Type") == "image/svg+xml");
    CHECK(chart->body.find("id=\"train_loss\"") != std::string::npos);

    std::string stream;
    const auto streamed = c.Get((base + "/stream?after=3").c_str(), [&](const char* data, size_t n) {
      stream.append(data, n);
      return true;
    });
    REQUIRE(streamed);
    CHECK(streamed->get_header_value("Content-Type") == "text/event-stream");
    CHECK(stream.find("event: event\nid: 4\n") != std::string::npos);
    CHECK(stream.find("id: 3\n") == std::string::npos);
    CHECK(stream.find("event: job\n") != std::string::npos);
    CHECK(stream.find("event: progress\n") != std::string::npos);
    CHECK(stream.find("Fine-tuning succeeded") != std::string::npos);
    CHECK(stream.rfind("event: end\n") != std::string::npos);

    const json generated = post(c, "/api/generate", {{"model", id}, {"prompt", "copy: a b c d ="}, {"max_tokens", 4}, {"temperature", 0}});
    CHECK(generated["tokens"].get<int>() <= 4);
    CHECK(generated.contains("text"));
    CHECK(c.Post((base + "/resume").c_str(), "", "application/json")->status == 409);
    CHECK(error_of(c.Post((base + "/cancel").c_str(), "", "application/json"))["status"] == "state");
  }
  SECTION("cancel and resume") {
    const json job = post(c, "/api/jobs", copy_request(train, 50));
    const std::string base = "/api/jobs/" + job["id"].get<std::string>();
    while (get(c, base + "/progress")["step"].get<int>() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(post(c, base + "/cancel", json::object())["id"] == job["id"]);
    CHECK(post(c, base + "/wait", json::object())["status"] == "cancelled");
    const json resumed = post(c, base + "/resume", json::object());
    CHECK(resumed["status"] == "queued");
    CHECK(post(c, base + "/cancel", json::object())["id"] == job["id"]);
    CHECK(post(c, base + "/wait", json::object())["status"] == "cancelled");
  }
  CHECK(serve.stop() == 0);
  CHECK(serve.output().find("stopped") != std::string::npos);
}

TEST_CASE("ft-host serve cancels unfinished jobs when stopped, and says which", "[host][serve]") {
  TempFolder folder;
  const std::string train = write_copy_data(folder, "train.jsonl", 16).string();
  ServeSession serve((folder / "ws").string(), {folder.path().string(), kFixtures}, (folder / "serve.out").string());
  auto c = serve.client();
  const std::string id = post(c, "/api/jobs", copy_request(train, 50))["id"];
  CHECK(serve.stop() == 0);
  INFO(serve.output());
  CHECK(serve.output().find("Cancelling 1 unfinished job(s)") != std::string::npos);
  CHECK(serve.output().find(id) != std::string::npos);
}

TEST_CASE("ft-host serve refuses a port in use, a folder that does not exist and a bad --port", "[host][serve]") {
  TempFolder folder;
  ServeSession serve((folder / "ws").string(), {}, (folder / "serve.out").string());
  const auto taken = run_host({"serve", "--port", std::to_string(serve.port())}, (folder / "other-ws").string());
  CHECK(taken.exit_code == 2);
  CHECK(taken.out.find("cannot listen on 127.0.0.1:" + std::to_string(serve.port())) != std::string::npos);
  const auto missing = run_host({"serve", (folder / "nowhere").string()}, (folder / "other-ws").string());
  CHECK(missing.exit_code == 2);
  CHECK(missing.out.find("nowhere does not exist") != std::string::npos);
  const auto bad_port = run_host({"serve", "--port", "http"}, (folder / "other-ws").string());
  CHECK(bad_port.exit_code == 2);
  CHECK(bad_port.out.find("--port must be an integer") != std::string::npos);
}
