#include "vision_module/plugin/loader.h"

#include <dlfcn.h>

#include <mutex>
#include <string>
#include <system_error>

#include "core/error.h"

namespace k9::vision_module {

namespace {

[[noreturn]] void fail(const std::string& detail) {
  throw Error(ErrorCode::internal, "the vision module could not be loaded", detail, 0);
}

std::string last_dl_error() {
  const char* e = dlerror();
  return e ? e : "no error reported";
}

}  // namespace

std::vector<std::filesystem::path> module_candidates(const std::filesystem::path& exe) {
  auto dir = exe.parent_path();
  return {dir / kFileName, (dir.parent_path() / "lib" / kFileName).lexically_normal()};
}

const Table& load_module_file(const std::filesystem::path& file) {
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) fail("vision module " + file.string() + " could not be loaded: " + last_dl_error());
  auto entry = reinterpret_cast<const Table* (*)()>(dlsym(handle, kEntry));
  if (!entry) fail("vision module " + file.string() + " has no " + kEntry + ": " + last_dl_error());
  const Table* table = entry();
  if (!table || table->abi != kAbi || table->size != sizeof(Table) || !table->make_extractor ||
      !table->write_demo_catalog)
    fail("vision module " + file.string() + " is not of this build of k9 (interface " +
         std::to_string(table ? table->abi : 0) + ", expected " + std::to_string(kAbi) + ")");
  return *table;  // the handle stays open for the process's life
}

const Table& loaded_module() {
  static std::mutex mutex;
  static const Table* table = nullptr;
  std::lock_guard lock(mutex);
  if (table) return *table;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) fail(std::string("vision module ") + kFileName + " not looked for: /proc/self/exe: " + ec.message());
  auto candidates = module_candidates(exe);
  for (auto& file : candidates) {
    if (!std::filesystem::exists(file, ec)) continue;
    table = &load_module_file(file);
    return *table;
  }
  // None there: dlopen the first anyway, for the loader's own words.
  dlopen(candidates.front().c_str(), RTLD_NOW | RTLD_LOCAL);
  fail(std::string("vision module ") + kFileName + " not found beside " + exe.string() + " (nor in " +
       candidates.back().parent_path().string() + "): " + last_dl_error());
}

}  // namespace k9::vision_module
