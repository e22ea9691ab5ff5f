// The Lambda package's `bootstrap` (scripts/package-lambda.sh): runs `bin/k9 lambda` through the
// package's own dynamic loader and libraries, so K9 needs nothing of the host's (Amazon Linux
// 2023 has glibc 2.34; the package brings the build machine's). A static executable rather than
// a shell script: a cold start does not start a shell first (provided.al2023's /bin/sh is bash),
// and this loads no library of its own.
//
// The package is LAMBDA_TASK_ROOT when Lambda sets it, else this file's folder. Arguments are
// passed on after `lambda`. When the loader cannot be run it says why and exits 127.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#if defined(__x86_64__)
constexpr const char* kLoader = "ld-linux-x86-64.so.2";
#elif defined(__aarch64__)
constexpr const char* kLoader = "ld-linux-aarch64.so.1";
#else
#error "no Lambda architecture"
#endif

int main(int argc, char** argv) {
  std::string root;
  if (const char* task_root = std::getenv("LAMBDA_TASK_ROOT"); task_root && *task_root) {
    root = task_root;
  } else {
    root = argv[0];
    auto slash = root.rfind('/');
    root = slash == std::string::npos ? "." : root.substr(0, slash);
  }
  std::string loader = root + "/lib/" + kLoader, libs = root + "/lib", k9 = root + "/bin/k9";
  std::vector<char*> args{loader.data(), const_cast<char*>("--library-path"), libs.data(), k9.data(),
                          const_cast<char*>("lambda")};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  ::execv(loader.c_str(), args.data());
  std::fprintf(stderr, "bootstrap: cannot run %s: %s\n", loader.c_str(), std::strerror(errno));
  return 127;
}
