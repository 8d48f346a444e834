"""Exchange between Panshi nodes (county, city, province) and the national 双公示 export (DESIGN §3.8)."""
