#pragma once
// The engine's end of clusterdeck-netns (netnsprotocol.h): starts one helper, which lives in the
// cluster's namespaces until this object goes, and exchanges request and answer lines with it
// over a socket pair. Blocking, with a timeout: a request takes a few milliseconds.

#include "engine/core/result.h"
#include "engine/runtime/network/holderprocess.h"

#include <QString>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cd::runtime::network {

// A holder as the helper names it: "PID STARTTIME".
std::optional<HolderProcess> parseHolder(const std::string &pid, const std::string &startTime);

class NetnsHelper {
public:
    // Runs `helper serve ARGS...` and waits for its "ready" line.
    static Result<std::unique_ptr<NetnsHelper>> start(const QString &helper, const std::vector<std::string> &args,
                                                      std::chrono::milliseconds timeout);
    ~NetnsHelper(); // closes the socket (the helper exits; holders stay) and reaps the helper

    NetnsHelper(const NetnsHelper &) = delete;
    NetnsHelper &operator=(const NetnsHelper &) = delete;

    const HolderProcess &clusterHolder() const { return m_clusterHolder; }
    bool alive() const { return m_fd >= 0; }

    // Sends one request; the answer's words after "ok". ServiceUnavailable: the helper was gone
    // before the request reached it (nothing happened).
    Result<std::vector<std::string>> request(const std::string &line);

    struct Answer {
        std::vector<std::string> words;  // after "ok"
        std::vector<int> descriptors;    // close-on-exec; the caller's to close
    };
    // The same for requests answered with descriptors (sockets of the cluster's namespaces).
    Result<Answer> requestWithDescriptors(const std::string &line);

private:
    NetnsHelper(int fd, int pid, std::chrono::milliseconds timeout) : m_fd(fd), m_pid(pid), m_timeout(timeout) {}
    Result<std::string> readLine();
    void stop();
    void closeReceived();

    int m_fd = -1;
    int m_pid = 0;
    std::chrono::milliseconds m_timeout;
    std::string m_pending;
    std::vector<int> m_received;  // descriptors that came with the answer being read
    HolderProcess m_clusterHolder;
};

} // namespace cd::runtime::network
