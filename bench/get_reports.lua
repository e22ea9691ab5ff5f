-- wrk script: GET /reports?limit=20 with a bearer token from the environment.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("K9_TOKEN")
done = function(summary, latency, requests)
  io.write(string.format("non2xx=%d errors=%d\n", summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
