// Boost.URL compiled in header-only mode: k9_http does not link Boost::url yet.
// Delete this file once CMakeLists.txt adds Boost::url to k9_http (two copies of the
// library in one program would clash if another module did the same).
#include <boost/url/src.hpp>
