# Shared by the Wi-Fi guest scenarios (record.sh copies it into the guest as /wifi-aps.sh): the
# configuration files of the two access points every Wi-Fi recording starts from. wlan0 (phy0) is a
# 2.4 GHz WPA2-Personal AP `usp-lab` on channel 6, wlan1 (phy1) a 5 GHz WPA3-Personal AP
# `usp-lab-5g` on channel 36, both with their control sockets in /run/hostapd.
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
