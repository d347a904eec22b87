// The raw SQLite insert rate under the store's durability settings, for comparison with the
// API's durable create rate: WAL, synchronous=FULL, a table and index like the store's log,
// one writer, rows of a given size. Reports one transaction per insert (each insert durable
// before the next, as a lone client's create is) and N inserts per transaction (group commit).
//   bench_sqlite_raw --dir DIR [--value-bytes 400] [--seconds 3] [--batch 16] [--batch 256]
// Prints one JSON object: {"value_bytes":B,"single":{"rows":N,"seconds":S,"per_second":R},
//                          "batched":[{"batch":K,"rows":N,"seconds":S,"per_second":R},...]}.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

bool exec(sqlite3 *db, const char *sql)
{
    char *message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        std::fprintf(stderr, "bench_sqlite_raw: %s: %s\n", sql, message ? message : "error");
        sqlite3_free(message);
        return false;
    }
    return true;
}

struct Rate {
    long long rows = 0;
    double seconds = 0;
};

// Inserts rows in transactions of `batch` rows until `seconds` have passed.
bool measure(const std::string &path, size_t valueBytes, int batch, double seconds, Rate *rate)
{
    std::remove(path.c_str());
    std::remove((path + "-wal").c_str());
    std::remove((path + "-shm").c_str());
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
        std::fprintf(stderr, "bench_sqlite_raw: cannot open %s\n", path.c_str());
        return false;
    }
    // The same settings and schema as engine/store/store.cpp.
    if (!exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;"
                  "CREATE TABLE log(rev INTEGER PRIMARY KEY, key TEXT NOT NULL, create_rev INTEGER NOT NULL,"
                  " deleted INTEGER NOT NULL, value BLOB);"
                  "CREATE INDEX log_key_rev ON log(key, rev);")) {
        sqlite3_close(db);
        return false;
    }
    sqlite3_stmt *insert = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO log(rev, key, create_rev, deleted, value) VALUES(?,?,?,?,?)", -1, &insert,
                       nullptr);
    std::string value(valueBytes, 'x');
    long long rev = 0;
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration<double>(seconds);
    bool ok = true;
    while (ok && Clock::now() < deadline) {
        ok = exec(db, "BEGIN IMMEDIATE");
        for (int i = 0; ok && i < batch; ++i) {
            ++rev;
            const std::string key = "/registry/configmaps/default/bench-" + std::to_string(rev);
            std::snprintf(value.data(), value.size(), "%lld", rev);  // rows differ, as real ones do
            sqlite3_bind_int64(insert, 1, rev);
            sqlite3_bind_text(insert, 2, key.data(), int(key.size()), SQLITE_STATIC);
            sqlite3_bind_int64(insert, 3, rev);
            sqlite3_bind_int(insert, 4, 0);
            sqlite3_bind_blob(insert, 5, value.data(), int(value.size()), SQLITE_STATIC);
            ok = sqlite3_step(insert) == SQLITE_DONE;
            sqlite3_reset(insert);
        }
        ok = ok && exec(db, "COMMIT");
    }
    rate->rows = rev;
    rate->seconds = std::chrono::duration<double>(Clock::now() - start).count();
    sqlite3_finalize(insert);
    sqlite3_close(db);
    std::remove(path.c_str());
    std::remove((path + "-wal").c_str());
    std::remove((path + "-shm").c_str());
    return ok;
}

std::string rateJson(const Rate &r)
{
    char text[160];
    std::snprintf(text, sizeof text, R"("rows":%lld,"seconds":%.3f,"per_second":%.1f)", r.rows, r.seconds,
                  r.seconds > 0 ? double(r.rows) / r.seconds : 0.0);
    return text;
}

} // namespace

int main(int argc, char **argv)
{
    std::string dir;
    size_t valueBytes = 400;
    double seconds = 3;
    std::vector<int> batches;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string name = argv[i];
        if (name == "--dir")
            dir = argv[i + 1];
        else if (name == "--value-bytes")
            valueBytes = size_t(std::atol(argv[i + 1]));
        else if (name == "--seconds")
            seconds = std::atof(argv[i + 1]);
        else if (name == "--batch")
            batches.push_back(std::atoi(argv[i + 1]));
    }
    if (dir.empty()) {
        std::fprintf(stderr, "bench_sqlite_raw: --dir DIR is required (put it on the disk the store uses)\n");
        return 2;
    }
    if (batches.empty())
        batches = {16, 256};
    const std::string path = dir + "/raw.db";
    Rate single;
    if (!measure(path, valueBytes, 1, seconds, &single))
        return 1;
    std::string out = "{\"value_bytes\":" + std::to_string(valueBytes) + ",\"single\":{" + rateJson(single) +
                      "},\"batched\":[";
    for (size_t i = 0; i < batches.size(); ++i) {
        Rate batched;
        if (!measure(path, valueBytes, batches[i], seconds, &batched))
            return 1;
        out += (i ? ",{" : "{") + std::string("\"batch\":") + std::to_string(batches[i]) + "," + rateJson(batched) + "}";
    }
    out += "]}";
    std::printf("%s\n", out.c_str());
    return 0;
}
