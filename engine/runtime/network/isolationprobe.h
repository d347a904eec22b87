#pragma once
// Whether this process can make the cluster's namespaces, found by trying (in a short-lived
// child) what the helper will do: a user namespace mapping our uid to 0, a network namespace
// owned by it, and bringing its lo up. Kernels and distributions disable this in several ways
// (user.max_user_namespaces=0, kernel.unprivileged_userns_clone=0, AppArmor's
// kernel.apparmor_restrict_unprivileged_userns, seccomp in a container), so it is checked,
// not assumed.

#include <string>

namespace cd::runtime::network {

// Empty when isolation works; otherwise why not, in words for a node condition.
std::string userNamespaceProblem();

} // namespace cd::runtime::network
