#include "ember/core/trace.h"

namespace ember::trace::detail {

constinit thread_local Tracer* active_tracer = nullptr;

}  // namespace ember::trace::detail
