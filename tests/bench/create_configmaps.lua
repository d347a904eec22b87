-- wrk script: POSTs ConfigMaps named by the server (metadata.generateName) on every keep-alive
-- connection and counts the answers, so that only durable creates (201) are reported.
-- Use: wrk -t2 -c16 -d10s -s create_configmaps.lua -H "Authorization: Bearer TOKEN" \
--        https://127.0.0.1:PORT/api/v1/namespaces/default/configmaps
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"bench-",' ..
           '"labels":{"app":"bench","tier":"load"}},' ..
           '"data":{"config.yaml":"replicas: 3\\nlogLevel: info\\nfeature: enabled\\n","mode":"production"}}'

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

-- Per thread: wrk gives each thread its own Lua state; done() reads them through thread:get.
created = 0
others = 0
firstOther = ""

function response(status, headers, body)
   if status == 201 then
      created = created + 1
   else
      others = others + 1
      if firstOther == "" then
         firstOther = tostring(status) .. " " .. string.sub(body or "", 1, 200)
      end
   end
end

function done(summary, latency, requests)
   local c, o, first = 0, 0, ""
   for _, thread in ipairs(threads) do
      c = c + thread:get("created")
      o = o + thread:get("others")
      if first == "" then first = thread:get("firstOther") end
   end
   io.write(string.format("BENCH created=%d others=%d duration_us=%d p50_us=%d p99_us=%d\n",
                          c, o, summary.duration, latency:percentile(50), latency:percentile(99)))
   if first ~= "" then
      io.write("BENCH first_other=" .. string.gsub(first, "\n", " ") .. "\n")
   end
end
