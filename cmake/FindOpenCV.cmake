# Finds OpenCV 4 for find_package(OpenCV [version] COMPONENTS core imgproc ...).
# Uses OpenCV's own CMake config when one is installed (Debian's libopencv-dev, a source
# build); otherwise finds the headers and the requested libraries directly, which is what
# Debian's small per-module packages (libopencv-core-dev, libopencv-imgproc-dev,
# libopencv-imgcodecs-dev) provide: they ship no CMake config, and libopencv-dev that does
# pulls in about 150 packages. Either way the targets are opencv_<component>.
find_package(OpenCV CONFIG QUIET COMPONENTS ${OpenCV_FIND_COMPONENTS})
if(OpenCV_FOUND)
  return()
endif()

find_path(OpenCV_INCLUDE_DIR opencv2/core/version.hpp PATH_SUFFIXES opencv4)
if(OpenCV_INCLUDE_DIR)
  file(STRINGS ${OpenCV_INCLUDE_DIR}/opencv2/core/version.hpp _cv_version_lines
       REGEX "#define CV_VERSION_(MAJOR|MINOR|REVISION) ")
  foreach(_part MAJOR MINOR REVISION)
    string(REGEX REPLACE ".*#define CV_VERSION_${_part} +([0-9]+).*" "\\1" _cv_${_part} "${_cv_version_lines}")
  endforeach()
  set(OpenCV_VERSION "${_cv_MAJOR}.${_cv_MINOR}.${_cv_REVISION}")
endif()

set(OpenCV_LIBS "")
foreach(_component ${OpenCV_FIND_COMPONENTS})
  find_library(OpenCV_${_component}_LIBRARY opencv_${_component})
  if(OpenCV_${_component}_LIBRARY AND OpenCV_INCLUDE_DIR)
    set(OpenCV_${_component}_FOUND TRUE)
    if(NOT TARGET opencv_${_component})
      add_library(opencv_${_component} UNKNOWN IMPORTED)
      set_target_properties(opencv_${_component} PROPERTIES
        IMPORTED_LOCATION ${OpenCV_${_component}_LIBRARY}
        INTERFACE_INCLUDE_DIRECTORIES ${OpenCV_INCLUDE_DIR})
    endif()
    list(APPEND OpenCV_LIBS opencv_${_component})
  endif()
endforeach()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(OpenCV
  REQUIRED_VARS OpenCV_INCLUDE_DIR
  VERSION_VAR OpenCV_VERSION
  HANDLE_COMPONENTS)
