// libk9_vision.so's one exported symbol (vision_module/vision_module.h): the direct table. The
// library is built with hidden visibility and -Wl,--exclude-libs,ALL (CMakeLists.txt), so the
// K9 code it carries (k9_core, the vision code) never interposes on the executable's.
#include "vision_module/vision_module.h"

extern "C" __attribute__((visibility("default"))) const k9::vision_module::Table* k9_vision_module() {
  return &k9::vision_module::direct_table();
}
