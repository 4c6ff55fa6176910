//! What the nodes talk to besides PostgreSQL and each other: the test object store, a webhook
//! receiver, and a proxy that can cut a node off from its database.

/// The test S3-compatible server's endpoint and bucket (set by `scripts/test`); `None` (after
/// saying so) without one, outside CI.
pub fn s3_or_skip() -> Option<(String, String)> {
    match std::env::var("VARY_TEST_S3_ENDPOINT") {
        Ok(endpoint) if !endpoint.is_empty() => Some((
            endpoint,
            std::env::var("VARY_TEST_S3_BUCKET").unwrap_or_else(|_| "vary-test".into()),
        )),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI must test the object store: set VARY_TEST_S3_ENDPOINT")
        }
        _ => {
            eprintln!("skipped: no S3-compatible server (set VARY_TEST_S3_ENDPOINT)");
            None
        }
    }
}

/// A webhook receiver on loopback that answers 200 and counts requests per `X-Vary-Delivery`.
pub struct Receiver {
    pub url: String,
    pub seen: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
}

impl Receiver {
    pub fn start() -> Receiver {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
        let counts = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let (mut delivery, mut length) = (String::new(), 0usize);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("x-vary-delivery:") {
                        delivery = v.trim().to_string();
                    }
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                *counts.lock().unwrap().entry(delivery).or_insert(0) += 1;
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            }
        });
        Receiver { url, seen }
    }
}

/// A TCP proxy in front of PostgreSQL that can cut a node off from the database and let it back.
pub struct Proxy {
    pub port: u16,
    enabled: std::sync::Arc<std::sync::atomic::AtomicBool>,
    open: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
}

impl Proxy {
    pub fn start(upstream: std::net::SocketAddr) -> Proxy {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let enabled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let open = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (on, streams) = (enabled.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !on.load(Ordering::Acquire) {
                    continue;
                }
                let Ok(server) = std::net::TcpStream::connect(upstream) else {
                    continue;
                };
                let mut kept = streams.lock().unwrap();
                kept.push(client.try_clone().unwrap());
                kept.push(server.try_clone().unwrap());
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Proxy {
            port,
            enabled,
            open,
        }
    }

    /// Drops every connection through the proxy and refuses new ones.
    pub fn cut(&self) {
        self.enabled
            .store(false, std::sync::atomic::Ordering::Release);
        for stream in self.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }

    pub fn restore(&self) {
        self.enabled
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// `url` with its host and port replaced by the proxy's.
    pub fn url(&self, url: &str) -> String {
        let mut url = url::Url::parse(url).unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(self.port)).unwrap();
        url.to_string()
    }
}
