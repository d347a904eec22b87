#pragma once
// What the engine (ClusterNetwork) and its helper clusterdeck-netns agree on. The helper lives
// inside the cluster's user and network namespaces and does the per-pod work with syscalls and
// rtnetlink, so a pod costs one line each way instead of several `ip`/`nsenter` processes.
//
// Starting (argv):
//   clusterdeck-netns serve create GATEWAY/PREFIX   make the cluster namespaces (user, net, ipc,
//                                                   uts), a bridge, and their holder
//   clusterdeck-netns serve attach PID STARTTIME    join the namespaces of a living cluster holder
//   clusterdeck-netns enter PID STARTTIME NSLIST -- PROGRAM ARGS...
//       run PROGRAM in namespaces (NSLIST: "user,net,ipc,uts") of the holder PID, after checking
//       that PID still is the process started at STARTTIME (/proc/PID/stat field 22)
//
// A serving helper reads requests from stdin and answers on stdout, one line each way, words
// separated by single spaces. The first line it writes is "ready HOLDERPID STARTTIME" or
// "error MESSAGE". Requests, answered "ok ..." or "error MESSAGE":
//   pod-add VETH IP PREFIX GATEWAY HOSTNAME   -> ok HOLDERPID STARTTIME
//   link-del NAME                             -> ok            (down and renamed now, deleted soon;
//                                                                 a missing link is not an error)
//   links                                     -> ok NAME...    (every link of the cluster namespace)
//   addr-add IP                               -> ok            (IP/32 on the cluster's lo)
//   addr-del IP                               -> ok
//   local-route-add IP PREFIX                 -> ok            (every address of IP/PREFIX is local, on
//                                                                 lo: the Service range, so the proxy's
//                                                                 sockets may bind and reach any ClusterIP)
//   sysctl NAME VALUE                         -> ok            (NAME: net.ipv4.*, net.ipv6.* or
//                                                                 net.bridge.bridge-nf-call-*, of the
//                                                                 cluster's network namespace)
//   socket tcp|udp COUNT                      -> ok + COUNT fds (unbound sockets in the cluster's network
//                                                                 namespace, COUNT 1-64)
//   socket-bind tcp|udp IP PORT               -> ok + 1 fd     (bound there, SO_REUSEADDR)
//   pod-socket PID STARTTIME tcp|udp          -> ok + 1 fd     (in the network namespace of pod holder PID)
// Descriptors travel with the answer line as SCM_RIGHTS ancillary data (close-on-exec on arrival),
// so the engine uses sockets of namespaces it is not in, as if they were its own.
// End of input ends the helper; holders stay.

namespace cd::runtime::network::protocol {

inline constexpr const char *kHelperName = "clusterdeck-netns";
inline constexpr const char *kBridge = "cd0";
inline constexpr const char *kPodInterface = "eth0";
// Host-side veths are "cdv" + the pod IP in 8 hex digits: unique per pod, within IFNAMSIZ.
inline constexpr const char *kVethPrefix = "cdv";
// A removed pod's veth is renamed "cdx..." and deleted in the background (deleting takes tens of
// milliseconds of kernel time); any such link found later is garbage.
inline constexpr const char *kRetiredPrefix = "cdx";
// The most descriptors one answer carries.
inline constexpr int kMaxSocketsPerRequest = 64;

} // namespace cd::runtime::network::protocol
