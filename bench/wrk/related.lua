-- W6: the related stories of one published article, chosen at random from slugs_sample.txt.
dofile(os.getenv("BENCH_DIR") .. "/wrk/report.lua")
local slugs = {}
for line in io.lines(os.getenv("SLUGS")) do
  if #line > 0 then slugs[#slugs + 1] = line end
end
math.randomseed(7)
request = function()
  return wrk.format("GET", "/api/v1/articles/" .. slugs[math.random(#slugs)] .. "/related")
end
