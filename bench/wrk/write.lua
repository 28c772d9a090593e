-- W5: create an article with byline and tags, then publish it (draft -> in_review ->
-- published: the workflow has no shortcut). Transitions go first, so every created article is
-- carried through. The ids of the acknowledged creates are written to $ACKED when wrk is done.
dofile(os.getenv("BENCH_DIR") .. "/wrk/report.lua")
local token, person, tag = os.getenv("TOKEN"), os.getenv("PERSON"), os.getenv("TAG")
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
acked, to_review, to_publish, n = {}, {}, {}, 0
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. token,
}
request = function()
  local id, to
  if #to_publish > 0 then
    id, to = table.remove(to_publish), "published"
  elseif #to_review > 0 then
    id, to = table.remove(to_review), "in_review"
  end
  if id then
    return wrk.format("POST", "/api/v1/articles/" .. id .. "/transition", headers,
      '{"to":"' .. to .. '"}')
  end
  n = n + 1
  local body = string.format(
    '{"title":"压测稿件 %s-%d","body_html":"<p>咸宁高新区今年新增规上企业12家。</p><h2>园区</h2><p>园区工业总产值同比增长。</p>",' ..
    '"section_id":"%s","byline":[{"correspondent_id":"%s","role":"reporter"}],"tag_ids":["%s"]}',
    os.getenv("RUN") or "0", n, os.getenv("SECTION"), person, tag)
  return wrk.format("POST", "/api/v1/articles", headers, body)
end
response = function(status, headers, body)
  if status == 201 then
    local id = body:match('"id":"([0-9a-f%-]+)"')
    acked[#acked + 1] = id
    to_review[#to_review + 1] = id
  elseif status == 200 and body:find('"status":"in_review"', 1, true) then
    to_publish[#to_publish + 1] = body:match('"id":"([0-9a-f%-]+)"')
  end
end
local report_done = done
function done(summary, latency, requests)
  report_done(summary, latency, requests)
  local out = io.open(os.getenv("ACKED"), "w")
  local count = 0
  for _, t in ipairs(threads) do
    for _, id in ipairs(t:get("acked")) do
      out:write(id, "\n")
      count = count + 1
    end
  end
  out:close()
  io.write(string.format("ACKED %d\n", count))
end
