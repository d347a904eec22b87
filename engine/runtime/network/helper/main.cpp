// clusterdeck-netns: the cluster network's helper (the role slirp4netns and the netns tools of
// rootless container engines play). One long-lived instance per engine serves requests inside
// the cluster's namespaces; short-lived `enter` runs put a program into a pod's or the cluster's
// namespaces. No Qt: it starts in about a millisecond. Usage: engine/runtime/network/netnsprotocol.h
#include "namespaces.h"
#include "netnsserver.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <unistd.h>

using namespace cd::netns;

namespace {

int usage()
{
    std::fprintf(stderr, "usage: clusterdeck-netns serve create GATEWAY/PREFIX\n"
                         "       clusterdeck-netns serve attach PID STARTTIME\n"
                         "       clusterdeck-netns enter PID STARTTIME user,net,ipc,uts -- PROGRAM [ARGS...]\n");
    return 2;
}

bool parseHolder(const char *pidText, const char *startText, Holder &holder)
{
    char *end = nullptr;
    const long pid = std::strtol(pidText, &end, 10);
    if (*end || pid <= 0)
        return false;
    const unsigned long long start = std::strtoull(startText, &end, 10);
    if (*end)
        return false;
    holder = {static_cast<int>(pid), start};
    return true;
}

void say(const std::string &line)
{
    const std::string text = line + "\n";
    (void)!::write(STDOUT_FILENO, text.data(), text.size());
}

int serveMain(int argc, char **argv)
{
    // The engine's other descriptors are none of our business, nor of the holders we fork.
    ::close_range(3, ~0u, 0);
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGCHLD, SIG_IGN); // holders that die while we run are reaped by the kernel
    cd::Result<std::unique_ptr<NetnsServer>> server = cd::Error::badRequest("bad arguments");
    if (argc == 4 && std::strcmp(argv[2], "create") == 0) {
        const std::string cidr = argv[3];
        const size_t slash = cidr.find('/');
        in_addr gateway{};
        const int prefix = slash == std::string::npos ? -1 : std::atoi(cidr.c_str() + slash + 1);
        if (prefix < 1 || prefix > 30 || ::inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &gateway) != 1)
            return usage();
        server = NetnsServer::create(gateway, prefix);
    } else if (argc == 5 && std::strcmp(argv[2], "attach") == 0) {
        Holder holder;
        if (!parseHolder(argv[3], argv[4], holder))
            return usage();
        server = NetnsServer::attach(holder);
    } else {
        return usage();
    }
    if (!server.ok()) {
        say("error " + server.error().message);
        return 1;
    }
    const Holder &holder = (*server)->holder();
    say("ready " + std::to_string(holder.pid) + " " + std::to_string(holder.startTime));
    serve(**server, STDIN_FILENO, STDOUT_FILENO);
    return 0;
}

int enterMain(int argc, char **argv)
{
    // enter PID STARTTIME NSLIST -- PROGRAM ARGS...
    Holder holder;
    if (argc < 7 || std::strcmp(argv[5], "--") != 0 || !parseHolder(argv[2], argv[3], holder))
        return usage();
    std::vector<std::string> names;
    std::istringstream list(argv[4]);
    for (std::string name; std::getline(list, name, ',');) {
        if (name != "user" && name != "net" && name != "ipc" && name != "uts")
            return usage();
        names.push_back(name);
    }
    auto fds = openNamespaces(holder, names);
    if (!fds.ok()) {
        std::fprintf(stderr, "clusterdeck-netns enter: %s\n", fds.error().message.c_str());
        return 125;
    }
    const cd::Status joined = joinNamespaces(*fds);
    for (int fd : *fds)
        ::close(fd);
    if (!joined.ok()) {
        std::fprintf(stderr, "clusterdeck-netns enter: %s\n", joined.error().message.c_str());
        return 125;
    }
    ::execvp(argv[6], argv + 6);
    const int error = errno;
    std::fprintf(stderr, "clusterdeck-netns enter: %s: %s\n", argv[6], std::strerror(error));
    return error == ENOENT ? 127 : 126;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc >= 2 && std::strcmp(argv[1], "serve") == 0)
        return serveMain(argc, argv);
    if (argc >= 2 && std::strcmp(argv[1], "enter") == 0)
        return enterMain(argc, argv);
    return usage();
}
