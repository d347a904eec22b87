#include "engine/api/metricsscrape.h"

#include <QTimer>

#include <memory>

namespace cd::api::metrics {
namespace {

// The whole answer of one kubelet request, kept instead of streamed.
class CollectingSink : public ResponseSink {
public:
    explicit CollectingSink(std::function<void(KubeletAnswer)> done) : m_done(std::move(done)) {}

    void respond(ApiResponse response) override
    {
        m_answer.status = response.status;
        m_answer.contentType = response.contentType;
        m_answer.body = std::move(response.body);
        complete();
    }
    void startStream(int status, const std::string &contentType) override
    {
        m_answer.status = status;
        m_answer.contentType = contentType;
    }
    void write(const std::string &chunk) override { m_answer.body += chunk; }
    void finish() override { complete(); }

    // No answer in time: the connector aborts its request when the sink closes.
    void abandon()
    {
        if (!m_done)
            return;
        m_answer = KubeletAnswer{};
        complete();
        markClosed();
    }

private:
    void complete()
    {
        if (!m_done)
            return;
        auto done = std::move(m_done);
        m_done = nullptr;
        done(std::move(m_answer));
    }

    std::function<void(KubeletAnswer)> m_done;
    KubeletAnswer m_answer;
};

// What a scrape waits for, shared by its fetches.
struct Scrape {
    std::function<void(Summaries)> done;
    Summaries summaries;
    size_t pending = 0;
};

} // namespace

void fetchFromKubelet(KubeletConnector &kubelets, int port, const std::string &pathAndQuery,
                      std::chrono::milliseconds timeout, std::function<void(KubeletAnswer)> done)
{
    auto sink = std::make_shared<CollectingSink>(std::move(done));
    kubelets.get(port, pathAndQuery, sink);
    QTimer::singleShot(timeout, [sink] { sink->abandon(); });
}

Summaries parseSummaryList(const std::string &body)
{
    Summaries out;
    const Json list = Json::parse(body, nullptr, false);
    const Json *items = list.is_discarded() ? nullptr : find(list, {"items"});
    if (!items || !items->is_array())
        return out;
    const std::int64_t windowMs = integer(list, {"windowMs"});
    for (const Json &summary : *items) {
        const std::string name = str(summary, {"node", "nodeName"});
        if (!name.empty())
            out[name] = NodeSummary{summary, windowMs};
    }
    return out;
}

void scrapeSummaries(KubeletConnector &kubelets, const std::set<int> &ports, std::chrono::milliseconds timeout,
                     std::function<void(Summaries)> done)
{
    if (ports.empty()) {
        done({});
        return;
    }
    auto scrape = std::make_shared<Scrape>();
    scrape->done = std::move(done);
    scrape->pending = ports.size();
    for (int port : ports) {
        fetchFromKubelet(kubelets, port, "/stats/nodes", timeout, [scrape](KubeletAnswer answer) {
            if (answer.status == 200)
                for (auto &[name, summary] : parseSummaryList(answer.body))
                    scrape->summaries[name] = std::move(summary);
            if (--scrape->pending == 0)
                scrape->done(std::move(scrape->summaries));
        });
    }
}

} // namespace cd::api::metrics
