#include "engine/node/containerhooks.h"

#include <QPointer>
#include <QTimer>

namespace cd::node {
namespace {

std::string commandOf(const Json &handler, const char *separator)
{
    std::string out;
    if (const Json *command = find(handler, {"exec", "command"}); command && command->is_array())
        for (const Json &word : *command)
            if (word.is_string())
                out += (out.empty() ? "" : separator) + word.get<std::string>();
    return out;
}

} // namespace

HookRun::HookRun(const Json &handler, const ActionTarget &target, const std::string &container,
                 const std::string &podRef, int timeoutMs, Done done)
    : m_done(std::move(done))
{
    QPointer<HookRun> self(this);
    const auto later = [self](bool ok, std::string message) {
        QTimer::singleShot(0, self, [self, ok, message]() {
            if (self)
                self->finish(ok, message);
        });
    };
    const std::string where = " for Container \"" + container + "\" in Pod \"" + podRef + "\" failed - error: ";
    const HandlerKind kind = handlerKind(handler);
    if (kind == HandlerKind::Sleep) {
        // The container stays as it is for the time asked (bounded by the caller's timeout).
        const long long seconds = integer(handler, {"sleep", "seconds"});
        QTimer::singleShot(static_cast<int>(std::clamp<long long>(seconds * 1000, 0, timeoutMs)), this, [self]() {
            if (self)
                self->finish(true, {});
        });
        return;
    }
    ActionOptions options;
    options.timeoutMs = timeoutMs;
    options.anyHttpStatus = true;
    const std::string path = str(handler, {"httpGet", "path"});
    const std::string execCommand = commandOf(handler, " ");
    auto run = startAction(
        handler, target, options, [self, later, kind, where, path, execCommand, handler](const ActionResult &r) {
            if (!self)
                return;
            if (r.success())
                return later(true, {});
            if (kind == HandlerKind::Exec) {
                const std::string output = r.output;
                later(false, "Exec lifecycle hook ([" + commandOf(handler, " ") + "])" + where + "command '" +
                                 execCommand + "' exited with " + std::to_string(r.code) + ": " + output +
                                 ", message: \"" + output + "\"");
            } else {
                later(false, "HTTP lifecycle hook (" + path + ")" + where + r.output + ", message: \"\"");
            }
        });
    if (!run.ok()) {
        later(false, "lifecycle hook" + where + run.error().message + ", message: \"\"");
        return;
    }
    m_action = std::move(*run);
}

HookRun::~HookRun() = default;

void HookRun::finish(bool ok, const std::string &message)
{
    if (m_finished)
        return;
    m_finished = true;
    m_action.reset();
    if (m_done)
        m_done(ok, message); // may delete this
}

} // namespace cd::node
