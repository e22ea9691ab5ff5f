-- wrk script: POST /reports with a bearer token from the environment.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("K9_TOKEN")
wrk.body = '{"title":"Load test","reference":{"model":"Oak","brand":"Acme",' ..
  '"images":[{"url":"a.jpg"}],"category":{"type":"tile","material":"porcelain"},' ..
  '"formats":[{"length":{"val":24,"unit":"in"},"width":{"val":12,"unit":"in"},' ..
  '"vendors":[{"sku":"A1","store":"S","name":"N","price":{"val":4.99,"unit":"usd"},"url":"u"}]}]}}'

done = function(summary, latency, requests)
  io.write(string.format("non2xx=%d errors=%d\n", summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
