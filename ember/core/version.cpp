#include "ember/version.h"

namespace ember {

// EMBER_VERSION_STRING as it was when the library was compiled.
const char* version() noexcept { return EMBER_VERSION_STRING; }

}  // namespace ember
