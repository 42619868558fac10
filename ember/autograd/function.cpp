#include "ember/autograd/function.h"

#include <cstdlib>
#if __has_include(<cxxabi.h>)
#include <cxxabi.h>
#endif

namespace ember::autograd {

std::string readable_type_name(const char* typeid_name) {
#if __has_include(<cxxabi.h>)
  int status = 0;
  char* demangled = abi::__cxa_demangle(typeid_name, nullptr, nullptr, &status);
  std::string name = status == 0 && demangled ? demangled : typeid_name;
  std::free(demangled);
  return name;
#else
  return typeid_name;  // MSVC's typeid names are readable already ("struct Softsign")
#endif
}

}  // namespace ember::autograd
