#include "cli/lambda_command.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include "aws/credentials_chain.h"
#include "aws/lambda_client.h"
#include "core/error.h"
#include "core/random.h"
#include "core/encoding.h"
#include "lambda/lambda_loop.h"

namespace k9::cli {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

int lambda_command(Config config) {
  std::string api = env("AWS_LAMBDA_RUNTIME_API");
  if (api.empty()) {
    std::cerr << "k9 lambda: AWS_LAMBDA_RUNTIME_API is not set (Lambda sets it; run `k9 serve` elsewhere)\n";
    return 2;
  }
  lambda::RuntimeClient client(api);
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<aws::LambdaClient> invoker;
  const std::string function_name = env("AWS_LAMBDA_FUNCTION_NAME");
  try {
    // Only /tmp is writable in Lambda: the data folder (keys cache, snapshot) lives there.
    if (env("K9_DATA").empty()) config.data = "/tmp/k9-data";
    config.ensure_tables = false;
    config.choose_model_version = true;  // an explicit version the catalog lacks fails the init
    config.defer_model_choice = true;    // an unset one is chosen beside it
    runtime = std::make_unique<Runtime>(config);
    if (!function_name.empty()) {
      invoker = aws::LambdaClient::from_environment(aws::default_credentials());
      runtime->set_analysis_trigger([&invoker, function_name] {
        try {
          invoker->invoke_event(function_name, R"({"k9":{"task":"analysis"}})");
        } catch (const Error& e) {  // the scheduled sweep takes it up within a minute
          spdlog::warn("analysis not started at once: {}", e.what());
        }
      });
    }
  } catch (const std::exception& e) {
    spdlog::error("k9 lambda: init failed: {}", e.what());
    client.fail_init("K9.InitError", e.what());
    return 1;
  }

  lambda::LambdaOptions options;
  options.base_path = config.base_path;
  options.cors_origin = config.cors_origin;
  options.task = [&runtime](const std::string& task, std::chrono::system_clock::time_point deadline) -> boost::json::value {
    if (task != "analysis") throw bad_request("unknown task " + task);
    size_t ran = runtime->run_due_analyses(deadline);
    return boost::json::object{{"task", task}, {"ran", ran}};
  };
  options.spill = [&runtime](const api::Response& r, const std::string& request_id) {
    std::string key = "responses/" + hex_encode(random_bytes(16)) + "/" + request_id;
    runtime->blobs().put(key, r.body, r.content_type);
    return runtime->blobs().presigned_get_url(key, std::chrono::hours(1));
  };
  options.observe = [](std::string_view route, int status, std::chrono::microseconds duration) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
    std::cout << lambda::emf_line(route, status, duration, ms.count()) << "\n" << std::flush;
  };
  lambda::LambdaFunction function(runtime->app(), options);
  spdlog::info("k9 lambda: ready (runtime API {})", api);
  return lambda::run_loop(client, function);
}

}  // namespace k9::cli
