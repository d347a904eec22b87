#pragma once
// Sockets and settings of the namespace the helper is in, for the engine: it cannot make a socket
// in a network namespace it is not in, so the helper makes it and passes the descriptor over the
// socket pair (SCM_RIGHTS). A socket keeps the network namespace it was made in for good.

#include "engine/core/result.h"

#include <string>
#include <vector>

#include <netinet/in.h>

namespace cd::netns {

enum class SocketKind { Tcp, Udp };

// "tcp" or "udp"; false for anything else.
bool parseSocketKind(const std::string &text, SocketKind &kind);

// A close-on-exec socket of the calling thread's network namespace.
Result<int> openSocket(SocketKind kind);
// The same, bound to address:port with SO_REUSEADDR (TCP: not listening yet).
Result<int> openBoundSocket(SocketKind kind, in_addr address, int port);

// Writes /proc/sys/NAME (dots as slashes) for the calling thread's network namespace. Only
// net.ipv4.*, net.ipv6.* and net.bridge.bridge-nf-call-* names (all kept per network namespace):
// nothing else of the machine is the helper's to change.
Status writeNetworkSysctl(const std::string &name, const std::string &value);

// One answer line with descriptors attached (none: a plain write). True when all was sent.
bool sendLine(int fd, const std::string &line, const std::vector<int> &descriptors);

} // namespace cd::netns
