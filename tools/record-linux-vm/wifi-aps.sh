# Shared by the Wi-Fi guest scenarios (record.sh copies it into the guest as /wifi-aps.sh): the
# configuration files of the two access points every Wi-Fi recording starts from, and the reads of
# the whole tree the write scenarios record (a function: sourcing this file records nothing).
# wlan0 (phy0) is a 2.4 GHz WPA2-Personal AP `usp-lab` on channel 6, wlan1 (phy1) a 5 GHz
# WPA3-Personal AP `usp-lab-5g` on channel 36, both with their control sockets in /run/hostapd.
mkdir -p /run/hostapd
cat > /tmp/ap-wlan0.conf <<'CONF'
interface=wlan0
driver=nl80211
ctrl_interface=/run/hostapd
country_code=DE
ieee80211d=1
hw_mode=g
channel=6
ieee80211n=1
wmm_enabled=1
ssid=usp-lab
wpa=2
wpa_key_mgmt=WPA-PSK
rsn_pairwise=CCMP
wpa_passphrase=correct horse battery
CONF
cat > /tmp/ap-wlan1.conf <<'CONF'
interface=wlan1
driver=nl80211
ctrl_interface=/run/hostapd
country_code=DE
ieee80211d=1
hw_mode=a
channel=36
ieee80211n=1
ieee80211ac=1
wmm_enabled=1
ssid=usp-lab-5g
wpa=2
wpa_key_mgmt=SAE
rsn_pairwise=CCMP
ieee80211w=2
sae_password=staple battery horse
CONF

# whole_tree_reads: every read of the agent's Get of Device.WiFi. with both access points running
# (the write scenarios record it first, so a replay can serve the whole tree). Needs `rec` and
# H, the scenario's hostapd_cli with its control directory.
whole_tree_reads() {
  rec iw-reg-get iw reg get
  rec iw-dev iw dev
  rec iw-phy iw phy
  rec iw-phy0-channels iw phy phy0 channels
  rec iw-phy1-channels iw phy phy1 channels
  rec iw-wlan0-info iw dev wlan0 info
  rec iw-wlan1-info iw dev wlan1 info
  rec iw-wlan0-station-dump iw dev wlan0 station dump
  rec iw-wlan1-station-dump iw dev wlan1 station dump
  rec hapd-interfaces $H interface
  rec hapd-wlan0-status $H -i wlan0 status
  rec hapd-wlan0-get-config $H -i wlan0 get_config
  rec hapd-wlan0-all-sta $H -i wlan0 all_sta
  rec hapd-wlan1-status $H -i wlan1 status
  rec hapd-wlan1-get-config $H -i wlan1 get_config
  rec hapd-wlan1-all-sta $H -i wlan1 all_sta
}
